// Sales delivery picking: a scanner types a barcode (or item code) + Enter into [data-pick-scan];
// the first row of [data-pick-table] whose data-codes holds it gets its quantity raised by 1.
// Without JavaScript the quantities are simply typed in; the server checks everything.
(() => {
  const box = document.querySelector("[data-pick-scan]");
  const table = document.querySelector("[data-pick-table]");
  if (!box || !table) return;
  const feedback = document.getElementById("scan-feedback");
  box.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const code = box.value.trim();
    box.value = "";
    if (!code) return;
    const row = Array.from(table.querySelectorAll("tr[data-codes]")).find((tr) =>
      tr.dataset.codes.split(" ").includes(code)
    );
    if (!row) {
      feedback.textContent = `${code}: ${table.dataset.notFound || "?"}`;
      feedback.classList.add("text-danger");
      return;
    }
    const input = row.querySelector('input[data-field="quantity"]');
    input.value = (parseFloat(input.value || "0") + 1).toString();
    row.classList.add("table-success");
    feedback.classList.remove("text-danger");
    feedback.textContent = `${code}: ${input.value}`;
  });
})();

// Order form: the line grid fills the price field of the customer's price level (sale_price or
// retail_price) less the customer's discount, like the server does when the price is left blank.
document.addEventListener("DOMContentLoaded", () => {
  const table = document.querySelector("table[data-line-grid]");
  const source = document.getElementById("customer-prices");
  const customer = document.getElementById("id_customer");
  if (!table || !table.lineGrid || !source || !customer) return;
  const prices = JSON.parse(source.textContent);
  const current = () => prices[customer.value] || { field: "sale_price", discount: "0" };
  const apply = () => {
    table.lineGrid.priceField = current().field;
  };
  customer.addEventListener("change", apply);
  apply();
  table.addEventListener("line-grid:product", (event) => {
    const { field, discount } = current();
    const base = parseFloat(event.detail.product[field] || "0") * (1 - parseFloat(discount || "0") / 100);
    event.target.dataset.basePrice = String(Math.round(base * 10000) / 10000);
    table.lineGrid.applyUnitPrice(event.target);
    table.lineGrid.recalc();
  });
});
