// Count sheet (盘点表): draws each product's barcode from its data-barcode attribute (vendored JsBarcode);
// a code JsBarcode cannot encode is printed as text instead.
document.querySelectorAll("svg[data-barcode]").forEach(function (svg) {
  try {
    JsBarcode(svg, svg.dataset.barcode, { format: "CODE128", height: 30, width: 1.2, fontSize: 10, margin: 0 });
  } catch (e) {
    svg.outerHTML = svg.dataset.barcode;
  }
});
