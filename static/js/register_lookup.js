// The organisation form's lookup in the local SIRENE register: typing a name or a SIREN in the « nom »
// field offers the register's structures (prospects' lookup endpoint, its URL in the form's
// data-register-lookup attribute); choosing one fills identity, address and legal form.
(function () {
  "use strict";
  function init(form) {
    var url = form.getAttribute("data-register-lookup");
    var name = form.querySelector("#id_name");
    if (!url || !name) { return; }
    var list = document.createElement("ul");
    list.className = "register-lookup";
    list.setAttribute("role", "listbox");
    list.id = "register-lookup-list";
    list.hidden = true;
    name.setAttribute("aria-controls", list.id);
    name.setAttribute("autocomplete", "off");
    name.parentNode.appendChild(list);
    var timer = null;
    var seq = 0;

    function fill(result) {
      ["name", "siren", "siret", "rna", "address", "postcode", "town", "kind"].forEach(function (key) {
        var field = form.querySelector("#id_" + key);
        if (field && result[key]) { field.value = result[key]; }
      });
      var note = form.querySelector(".register-lookup-note");
      if (!note) {
        note = document.createElement("p");
        note.className = "register-lookup-note muted";
        name.parentNode.appendChild(note);
      }
      note.textContent = form.getAttribute("data-register-filled") + " " + result.detail;
      list.hidden = true;
    }

    function show(results) {
      list.innerHTML = "";
      results.forEach(function (result) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        item.tabIndex = 0;
        var strong = document.createElement("strong");
        strong.textContent = result.label;
        var small = document.createElement("span");
        small.className = "muted";
        small.textContent = " — " + result.detail;
        item.appendChild(strong);
        item.appendChild(small);
        item.addEventListener("click", function () { fill(result); });
        item.addEventListener("keydown", function (event) {
          if (event.key === "Enter") { event.preventDefault(); fill(result); }
        });
        list.appendChild(item);
      });
      list.hidden = results.length === 0;
    }

    name.addEventListener("input", function () {
      clearTimeout(timer);
      var term = name.value.trim();
      if (term.length < 3) { list.hidden = true; return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch(url + "?q=" + encodeURIComponent(term), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { if (mine === seq) { show(data.results || []); } })
          .catch(function () { list.hidden = true; });
      }, 250);
    });
    name.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden && list.firstChild) { event.preventDefault(); list.firstChild.focus(); }
      if (event.key === "Escape") { list.hidden = true; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-register-lookup]").forEach(init);
  });
})();
