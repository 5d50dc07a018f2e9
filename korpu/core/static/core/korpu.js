// Körpü: small progressive enhancements. No inline scripts anywhere (the CSP forbids them).
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
