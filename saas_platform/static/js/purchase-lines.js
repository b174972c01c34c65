// Purchase order form: "Add a line" copies the empty row; each line's price field shows the chosen supplier's
// price for its product and quantity (an empty price is saved as that price). Without JavaScript the form
// still works with its three blank rows, and the server fills the supplier's prices.
(function () {
  var form = document.getElementById("purchase-order-form");
  if (!form) return;
  var body = form.querySelector("[data-lines]");
  var template = document.getElementById("line-template");
  var total = form.querySelector("input[name='lines-TOTAL_FORMS']");
  var addButton = form.querySelector("[data-add-line]");
  var supplier = form.querySelector("select[name='supplier']");
  var currency = form.querySelector("select[name='currency']");
  var prices = {};

  if (addButton && template && total) {
    addButton.hidden = false;
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    });
  }

  function priceFor(productId, quantity) {
    var breaks = (prices[productId] || []).filter(function (row) { return row.currency === currency.value; });
    if (!breaks.length) return "";
    var chosen = breaks[0];
    breaks.forEach(function (row) { if (parseFloat(row.min) <= quantity) chosen = row; });
    return chosen.price;
  }

  function refreshRow(row) {
    var product = row.querySelector("[data-line-product]");
    var quantity = row.querySelector("[data-line-quantity]");
    var price = row.querySelector("[data-line-price]");
    var unit = row.querySelector("select[name$='-unit']");
    if (!product || !price) return;
    // Supplier prices are per base unit: only a base-unit line can show one here.
    var shown = product.value && !(unit && unit.value) ? priceFor(product.value, parseFloat(quantity.value) || 1) : "";
    price.placeholder = shown || price.dataset.defaultPlaceholder || "";
  }

  function refreshAll() {
    body.querySelectorAll("[data-line-row]").forEach(refreshRow);
  }

  function loadPrices() {
    prices = {};
    if (!supplier || !supplier.value) { refreshAll(); return; }
    var url = form.dataset.lookupUrl + "?supplier=" + encodeURIComponent(supplier.value);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { prices: {} }; })
      .then(function (data) { prices = data.prices || {}; refreshAll(); });
  }

  body.querySelectorAll("[data-line-price]").forEach(function (input) {
    input.dataset.defaultPlaceholder = input.placeholder;
  });
  form.addEventListener("change", function (event) {
    if (event.target === supplier) { loadPrices(); return; }
    if (event.target === currency) { refreshAll(); return; }
    var row = event.target.closest("[data-line-row]");
    if (row) refreshRow(row);
  });
  loadPrices();
})();
