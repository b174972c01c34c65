// Finance charts (Chart.js, served locally). Each <canvas data-chart="ID"> draws the JSON in
// <script id="ID" type="application/json">: {type: "bar"|"line", labels, datasets: [{label, data, color}], currency}.
// Same format as the CRM's charts; lines get their colour as the line's, not only its fill.
(function () {
  if (!window.Chart) return;
  var locale = document.documentElement.lang === "en" ? "en-US" : "vi-VN";

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var fmt = new Intl.NumberFormat(locale, { style: "currency", currency: spec.currency || "VND",
      maximumFractionDigits: (spec.currency || "VND") === "VND" ? 0 : 2 });
    new window.Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d) {
          return { label: d.label, data: d.data, backgroundColor: d.color, borderColor: d.color,
                   pointRadius: spec.type === "line" && spec.labels.length > 40 ? 0 : 3, tension: 0.2 };
        })
      },
      options: {
        maintainAspectRatio: false, animation: false,
        plugins: {
          legend: { display: spec.datasets.length > 1 },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + fmt.format(c.raw); } } }
        },
        scales: { y: { ticks: { callback: function (v) { return fmt.format(v); } } } }
      }
    });
  });
})();
