// Parcours — evaluation pages. No inline scripts (CSP).
(function () {
  "use strict";
  // Dashboard filters refresh the figures in place (HTMX). Changing the programme changes the list of
  // cohorts too, so that one reloads the whole page, without the previous programme's cohort.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.name !== "programme" || !field.form || !field.form.classList.contains("js-dashboard-filters")) return;
    event.stopPropagation();
    var cohort = field.form.querySelector("[name=cohort]");
    if (cohort) cohort.value = "";
    field.form.submit();
  }, true);
})();
