// Sales delivery picking: a scanner types a barcode (or item code) + Enter into [data-pick-scan];
// the first row of [data-pick-table] answering to it gets its quantity raised by what the code stands
// for in the row's unit (data-steps: a case barcode adds 24 on a row in bottles; a bottle barcode on a
// row in cases adds nothing and says so).
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
    const steps = (tr) => (tr.dataset.steps ? JSON.parse(tr.dataset.steps) : {});
    const rows = Array.from(table.querySelectorAll("tr[data-codes]"));
    const matching = rows.filter((tr) => code in steps(tr));
    const row = matching.find((tr) => steps(tr)[code] > 0) || matching[0];
    const fail = (message) => {
      feedback.textContent = `${code}: ${message || "?"}`;
      feedback.classList.add("text-danger");
    };
    if (!row) return fail(table.dataset.notFound);
    const step = steps(row)[code];
    if (!step) return fail(table.dataset.wrongUnit);
    const input = row.querySelector('input[data-field="quantity"]');
    input.value = (parseFloat(input.value || "0") + step).toString();
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
