// Charts of the CRM growth reports (Chart.js, served locally). Each <canvas data-chart="ID"> draws the JSON in
// <script id="ID" type="application/json">: {type, labels, datasets: [{label, data, color}], currency?, unit?}.
(function () {
  if (!window.Chart) return;
  var locale = document.documentElement.lang === "en" ? "en-US" : "vi-VN";

  function formatter(spec) {
    if (spec.currency) {
      return new Intl.NumberFormat(locale, { style: "currency", currency: spec.currency,
        maximumFractionDigits: spec.currency === "VND" ? 0 : 2 });
    }
    var plain = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    return { format: function (v) { return plain.format(v) + (spec.unit || ""); } };
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    var fmt = formatter(spec);
    var round = spec.type === "doughnut" || spec.type === "pie";
    new window.Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d) {
          return { label: d.label, data: d.data, backgroundColor: d.colors || d.color };
        })
      },
      options: {
        maintainAspectRatio: false, animation: false,
        plugins: {
          legend: { display: round || spec.datasets.length > 1 },
          tooltip: { callbacks: { label: function (c) {
            var name = round ? c.label : c.dataset.label;
            return (name ? name + ": " : "") + fmt.format(c.raw);
          } } }
        },
        scales: round ? {} : { y: { beginAtZero: true, ticks: { callback: function (v) { return fmt.format(v); } } } }
      }
    });
  });
})();
