// Parcours — the project's own small behaviours. No inline scripts (CSP), no third-party code here.
(function () {
  "use strict";
  // Loaded in <head> without `defer`: styles may rely on `.js` from the first paint (the phone menu starts closed).
  document.documentElement.classList.add("js");
  // Phone menu: the top bar's button opens and closes the navigation; Escape closes it.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".nav-toggle");
    if (!toggle) return;
    var open = document.body.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !document.body.classList.contains("nav-open")) return;
    document.body.classList.remove("nav-open");
    var toggle = document.querySelector(".nav-toggle");
    if (toggle) { toggle.setAttribute("aria-expanded", "false"); toggle.focus(); }
  });
  // A tab row's « Plus » (a <details>): a click elsewhere or Escape closes it, as any menu does.
  document.addEventListener("click", function (event) {
    document.querySelectorAll(".tabs__more details[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".tabs__more details[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) summary.focus();
    });
  });
  // Timelines: a tap, a click or the keyboard focus on a phase or a marker writes its detail under the frieze
  // (the SVG <title>, which a mouse shows on hover only).
  function showDetail(event) {
    var mark = event.target.closest && event.target.closest("[data-timeline] [data-detail]");
    if (!mark) return;
    var frieze = mark.closest("[data-timeline]");
    var out = frieze.querySelector(".tl-detail");
    var title = mark.querySelector("title");
    if (!out || !title) return;
    frieze.querySelectorAll(".is-selected").forEach(function (m) { m.classList.remove("is-selected"); });
    mark.classList.add("is-selected");
    out.textContent = title.textContent;
    out.hidden = false;
  }
  document.addEventListener("click", showDetail);
  document.addEventListener("focusin", showDetail);
  // A list's column sort (a link in its results, fetched by HTMX): the filters' « Trier par » menu follows it,
  // or the next filter chosen would send the old order and drop the sort.
  document.addEventListener("htmx:afterRequest", function (event) {
    // (The link itself has been swapped out with the old results by now: it is the request's element.)
    var link = event.detail.requestConfig && event.detail.requestConfig.elt;
    var target = event.detail.target;
    if (!event.detail.successful || !link || link.tagName !== "A" || !target || target.id !== "results") return;
    var order = new URL(link.getAttribute("hx-get"), window.location.href).searchParams.get("o");
    var menu = document.querySelector("form.filters select[name=o]");
    if (order === null || !menu) return;
    var known = Array.prototype.some.call(menu.options, function (option) { return option.value === order; });
    if (known) menu.value = order;
  });
  // A multiple choice among thousands (programme.forms.SearchChecks): a match ticked joins the chosen boxes,
  // so that the next search, which replaces the matches, keeps it.
  document.addEventListener("change", function (event) {
    var box = event.target;
    var found = box.closest && box.closest(".search-checks__found");
    var chosen = found && document.getElementById(found.dataset.chosen);
    if (!chosen || !box.checked) return;
    var row = document.createElement("div");
    row.appendChild(box.closest("label"));
    chosen.appendChild(row);
  });
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
