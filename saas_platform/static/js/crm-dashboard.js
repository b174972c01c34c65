// Sales overview charts (Chart.js, served locally).
(function () {
  var data = document.getElementById("crm-charts");
  if (!data || !window.Chart) return;
  var charts = JSON.parse(data.textContent);
  var vnd = new Intl.NumberFormat("vi-VN", { style: "currency", currency: "VND", maximumFractionDigits: 0 });
  function draw(id, type, series, options) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new window.Chart(canvas, {
      type: type,
      data: { labels: series.labels, datasets: [{ data: series.values, backgroundColor: "#1e5eff", borderColor: "#1e5eff" }] },
      options: Object.assign({ maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } } }, options || {})
    });
  }
  draw("funnel-chart", "bar", charts.funnel, { indexAxis: "y" });
  draw("won-chart", "line", charts.won, { scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return vnd.format(v); } } } } });
  draw("roi-chart", "bar", charts.roi);
})();
