// Quotation form: the customer and product pickers, and redrawing the lines when the customer or currency
// changes (their prices follow the price list until someone types one).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var choice = event.target.closest("[data-pick]");
    if (!choice) return;
    var picker = choice.closest("[data-picker]");
    var hidden = picker.querySelector("input[type=hidden]");
    picker.querySelector("input[type=search]").value = choice.dataset.label;
    picker.querySelector("[data-results]").innerHTML = "";
    hidden.value = choice.dataset.pick;
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  });

  document.addEventListener("change", function (event) {
    if (event.target.hasAttribute("data-refresh-all") && window.htmx) {
      window.htmx.trigger(document.body, "refresh-lines");
    }
  });

  // A line's check came back: an automatic (or still empty) price takes the list price for the new quantity.
  document.addEventListener("htmx:afterSwap", function (event) {
    var cell = event.detail.target;
    if (!cell || !cell.hasAttribute || !cell.hasAttribute("data-line-check")) return;
    var check = cell.querySelector(".line-check");
    var row = cell.closest("tr");
    var price = row && row.querySelector("[data-price-input]");
    var auto = row && row.querySelector("[data-price-auto]");
    if (!check || !price || !auto || !check.dataset.price) return;
    if (auto.value === "1" || price.value.trim() === "") {
      price.value = check.dataset.price;
      auto.value = "1";
    }
  });

  // Enter in a search box picks nothing and must not submit the whole quotation.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-picker] input[type=search]")) {
      event.preventDefault();
      var first = event.target.closest("[data-picker]").querySelector("[data-pick]");
      if (first) first.click();
    }
  });
})();
