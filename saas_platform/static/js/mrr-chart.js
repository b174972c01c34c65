// The console's MRR chart (Chart.js, served locally).
(function () {
  var canvas = document.getElementById("mrr-chart");
  var data = document.getElementById("mrr-data");
  if (!canvas || !data || !window.Chart) return;
  var series = JSON.parse(data.textContent);
  var vnd = new Intl.NumberFormat("vi-VN", { style: "currency", currency: "VND", maximumFractionDigits: 0 });
  new window.Chart(canvas, {
    type: "bar",
    data: { labels: series.labels, datasets: [{ label: "MRR", data: series.values, backgroundColor: "#1e5eff" }] },
    options: {
      maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return vnd.format(c.raw); } } } },
      scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return vnd.format(v); } } } }
    }
  });
})();
