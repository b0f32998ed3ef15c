// Prospects board: drag a card onto another column to move it. The keyboard path is the card's own
// "Déplacer vers" menu and button; dragging only fills that menu and submits the same form (HTMX), so the
// server validates every move and explains refusals in the card.
(function () {
  "use strict";
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".pr-board-card");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.card);
  });
  document.addEventListener("dragover", function (event) {
    var column = dragged && event.target.closest && event.target.closest(".pr-board-column");
    if (!column) return;
    event.preventDefault();
    column.classList.add("pr-is-drop-target");
  });
  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".pr-board-column");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("pr-is-drop-target");
  });
  document.addEventListener("drop", function (event) {
    var column = dragged && event.target.closest && event.target.closest(".pr-board-column");
    document.querySelectorAll(".pr-is-drop-target").forEach(function (c) { c.classList.remove("pr-is-drop-target"); });
    if (!column) return;
    event.preventDefault();
    var form = dragged.querySelector("form.pr-board-move");
    var select = form && form.querySelector("select[name=to_stage]");
    dragged = null;
    if (!select || !column.dataset.stage) return;
    if (form.closest(".pr-board-column") === column) return;
    // The menu offers only the allowed moves; a drop elsewhere is still sent, so the card says why it is refused.
    if (!select.querySelector('option[value="' + column.dataset.stage + '"]')) {
      select.add(new Option(column.dataset.stage, column.dataset.stage));
    }
    select.value = column.dataset.stage;
    form.requestSubmit();
  });
  document.addEventListener("dragend", function () { dragged = null; });
  // After an HTMX swap (a card moved or refused), give the keyboard focus back to the card's menu.
  document.addEventListener("htmx:afterSwap", function () {
    var holder = document.querySelector("[data-focus]");
    if (!holder) return;
    var target = document.getElementById(holder.dataset.focus);
    holder.removeAttribute("data-focus");
    if (target) target.focus();
  });
  // A long import shows that it is working.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("pr-import-confirm")) return;
    var status = form.parentElement.querySelector(".pr-progress");
    if (status) status.hidden = false;
  });
})();
