// The aging chart (Chart.js, served locally): <canvas data-chart="ID"> draws the JSON in <script id="ID">:
// {labels: buckets, datasets: [{label: party, data: per bucket, color}], currency} as bars stacked per bucket.
(function () {
  if (!window.Chart) return;
  var locale = document.documentElement.lang === "en" ? "en-US" : "vi-VN";
  document.querySelectorAll("canvas[data-chart='erp-aging-chart']").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var fmt = new Intl.NumberFormat(locale, { style: "currency", currency: spec.currency || "VND",
      maximumFractionDigits: spec.currency === "VND" ? 0 : 2 });
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d) { return { label: d.label, data: d.data, backgroundColor: d.color }; })
      },
      options: {
        maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: true }, tooltip: { callbacks: {
          label: function (c) { return c.dataset.label + ": " + fmt.format(c.raw); } } } },
        scales: { x: { stacked: true },
                  y: { stacked: true, beginAtZero: true, ticks: { callback: function (v) { return fmt.format(v); } } } }
      }
    });
  });
})();
