// Parcours — the project's own small behaviours. No inline scripts (CSP), no third-party code here.
(function () {
  "use strict";
  // Forms that destroy or decide something ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList && form.classList.contains("js-confirm")) {
      if (!window.confirm(form.dataset.confirm || "Confirmer ?")) {
        event.preventDefault();
      }
    }
  }, true);
  // Prevent double submits: a form that is being sent disables its submit buttons.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return;
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
})();
