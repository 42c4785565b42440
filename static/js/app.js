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

// A form marked data-confirm asks before it is sent (document commands: void, reverse, close).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
