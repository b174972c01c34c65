// Manual journal entry: "Add a line" copies the empty row; the footer shows the debit and credit totals and
// what is left to balance. Without JavaScript the form works with its four rows and the server checks balance.
(function () {
  var form = document.getElementById("entry-form");
  if (!form) return;
  var body = form.querySelector("[data-lines]");
  var template = document.getElementById("line-template");
  var total = form.querySelector("input[name='lines-TOTAL_FORMS']");
  var addButton = form.querySelector("[data-add-line]");
  var locale = document.documentElement.lang === "en" ? "en-US" : "vi-VN";
  var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });

  function sum(side) {
    var value = 0;
    body.querySelectorAll("input[name$='-" + side + "']").forEach(function (input) {
      value += parseFloat(input.value) || 0;
    });
    return value;
  }

  function refresh() {
    var debit = sum("debit"), credit = sum("credit");
    form.querySelector("[data-total='debit']").textContent = number.format(debit);
    form.querySelector("[data-total='credit']").textContent = number.format(credit);
    var left = form.querySelector("[data-total='difference']");
    left.textContent = debit === credit ? "" : "≠ " + number.format(Math.abs(debit - credit));
  }

  if (addButton && template && total) {
    addButton.hidden = false;
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
    });
  }
  body.addEventListener("input", refresh);
  refresh();
})();
