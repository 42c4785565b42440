// Master data: "Add row" for inline formsets (secondary units, barcodes).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-row]");
  if (!button) return;
  const prefix = button.dataset.addRow;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const template = document.getElementById(`${prefix}-empty`);
  const body = document.querySelector(`table.formset[data-prefix="${prefix}"] tbody`);
  if (!total || !template || !body) return;
  const index = Number(total.value);
  body.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__prefix__", String(index)));
  total.value = String(index + 1);
});

// The product list search box: keep focus there so a scanner can fire code after code.
document.addEventListener("DOMContentLoaded", () => {
  const search = document.querySelector(".filter-form input[name='q']");
  if (search && !document.querySelector(".product-form")) {
    search.setAttribute("autocomplete", "off");
    search.focus();
    search.select();
  }
});
