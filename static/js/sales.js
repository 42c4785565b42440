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
