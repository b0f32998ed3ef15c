// Bulk actions on a list (prospects, projects): the header checkbox ticks (or unticks) every row of the page shown.
// Delegated on the document: the table is swapped by htmx when the filters change. Without scripts the
// checkbox stays hidden (.js-only) and each row is ticked by hand, or « tout sélectionner » takes them all.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("input[data-select-page]");
    if (!all) return;
    document.querySelectorAll('input[name="ids"][form="bulk-form"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
