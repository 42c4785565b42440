// Stock adjustment editor without the shared line grid: add rows from the formset's empty form and
// show each row's amount. The server recomputes everything; this is only a convenience.
(function () {
  "use strict";
  document.querySelectorAll("table[data-line-grid]").forEach(function (table) {
    var form = table.closest("form");
    var prefix = table.dataset.prefix;
    var template = form.querySelector("template.line-grid-empty");
    var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");

    function refresh() {
      table.querySelectorAll("tbody tr.line-row").forEach(function (row) {
        var quantity = parseFloat((row.querySelector("[data-field='quantity']") || {}).value);
        var cost = parseFloat((row.querySelector("[data-field='unit-price']") || {}).value);
        var out = row.querySelector("[data-field='amount']");
        if (out) { out.textContent = isFinite(quantity * cost) ? (quantity * cost).toFixed(2) : ""; }
      });
    }

    table.addEventListener("input", refresh);
    var add = form.querySelector("[data-add-line]");
    if (add && template && total) {
      add.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        table.querySelector("tbody").insertAdjacentHTML("beforeend", html);
        total.value = String(index + 1);
      });
    }
    refresh();
  });
})();
