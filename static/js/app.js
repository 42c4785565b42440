// Ctrl+S / Cmd+S submits the form marked data-save-shortcut (document editors).
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    const form = document.querySelector("form[data-save-shortcut]");
    if (form) {
      event.preventDefault();
      form.requestSubmit();
    }
  }
});

// The Content-Security-Policy allows no inline script, so behaviour that used to sit in
// onclick/onchange/onsubmit attributes is declared with data attributes and wired here:
//   <form data-confirm="Void this order?">   asks before submitting
//   <select data-autosubmit>                  submits its form when changed
//   <button data-print>                       prints the page
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.requestSubmit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});


// Tables hide their less important columns on narrow screens (.col-optional below 992 px,
// .col-wide-only below 1400 px, app.css). Where any is hidden, a button above the table shows
// them all (the table then scrolls sideways) and hides them again.
function addColumnToggles() {
  const labels = document.body.dataset;
  document.querySelectorAll("main table").forEach((table) => {
    const optional = table.querySelector("thead .col-optional, thead .col-wide-only");
    const box = table.closest(".table-responsive") || table;
    const existing = box.previousElementSibling;
    const hasToggle = existing && existing.classList.contains("column-toggle");
    if (!optional) return;
    const hidden = getComputedStyle(optional).display === "none" || table.classList.contains("show-all-columns");
    if (!hidden) { if (hasToggle) existing.hidden = true; return; }
    if (hasToggle) { existing.hidden = false; return; }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link btn-sm p-0 mb-1 column-toggle d-print-none";
    button.textContent = labels.labelAllColumns;
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", () => {
      const showing = table.classList.toggle("show-all-columns");
      button.textContent = showing ? labels.labelFewerColumns : labels.labelAllColumns;
      button.setAttribute("aria-expanded", String(showing));
    });
    box.before(button);
  });
}
document.addEventListener("DOMContentLoaded", addColumnToggles);
document.addEventListener("htmx:afterSettle", addColumnToggles);
window.addEventListener("resize", addColumnToggles);
