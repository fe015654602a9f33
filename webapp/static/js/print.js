// Buttons marked data-print print the page (no inline handlers: see the content security policy).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
