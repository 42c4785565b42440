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
