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

// A button marked data-print prints the page (print layouts, no inline script).
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
