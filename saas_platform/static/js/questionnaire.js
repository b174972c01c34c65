// Show only the characteristics of the chosen business type (the seed's table for that type).
(function () {
  var form = document.querySelector("form.questionnaire");
  if (!form) return;
  function show() {
    var chosen = form.querySelector("input[name=business_type]:checked");
    var prefix = { sme: "4.1.", manufacturing: "4.2.", services: "4.3.", ecommerce: "4.4.", enterprise: "4.5." }[chosen && chosen.value];
    var rows = form.querySelectorAll(".characteristics [data-rule]");
    form.querySelector(".characteristics").hidden = !prefix;
    rows.forEach(function (row) { row.hidden = !prefix || row.dataset.rule.indexOf(prefix) !== 0; });
  }
  form.addEventListener("change", show);
  show();
})();
