// Deal line items: picking a product by its SKU fills the line's description and the customer's price
// (price list, quantity break, the deal's currency); changing the quantity re-prices a line whose price was
// filled in. Without JavaScript, a product line saved with a blank description or price gets them on the server.
(function () {
  var form = document.querySelector("form[data-price-url]");
  if (!form) return;
  var note = form.querySelector("[data-testid=line-price-note]");

  function field(row, name) {
    return row.querySelector("input[name$='-" + name + "']");
  }

  function fill(row, productChanged) {
    var product = field(row, "product"), description = field(row, "description");
    var quantity = field(row, "quantity"), price = field(row, "unit_price");
    var sku = product.value.trim();
    if (!sku) return;
    var url = form.dataset.priceUrl + "?" + new URLSearchParams({ product: sku, quantity: quantity.value || "1" });
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (note) note.textContent = data.error || "";
        if (data.description && (productChanged || !description.value || description.value === description.dataset.auto)) {
          description.value = description.dataset.auto = data.description;
        }
        if (data.unit_price && (productChanged || !price.value || price.value === price.dataset.auto)) {
          price.value = price.dataset.auto = data.unit_price;
        }
        if (!quantity.value) quantity.value = "1";
        row.dataset.priced = "1";
      });
  }

  form.addEventListener("change", function (event) {
    var row = event.target.closest("tr.deal-line");
    if (!row) return;
    if (/-product$/.test(event.target.name)) fill(row, true);
    else if (/-quantity$/.test(event.target.name) && field(row, "product") && field(row, "product").value) fill(row, false);
  });
})();
