// The lookup in the local SIRENE register: typing a name or a SIREN offers the register's structures;
// choosing one fills the form's fields. Used by the organisation form (the team's endpoint) and by the
// public application form (its call's endpoint); the form says how in its attributes:
//   data-register-lookup  the endpoint's URL (answers {"results": [{label, detail, <field>: value…}]})
//   data-register-inputs  the inputs that look up as one types (default: "name")
//   data-register-fields  the fields a choice fills, by name (default: the organisation form's)
//   data-register-filled  the note's text before the chosen structure's details
// Without JavaScript the form works as it is: nothing here is needed to fill it in.
(function () {
  "use strict";
  var ORGANISATION_FIELDS = "name siren siret rna address postcode town kind";

  function attach(form, input, url, fields) {
    var list = document.createElement("ul");
    list.className = "register-lookup";
    list.setAttribute("role", "listbox");
    list.id = "register-lookup-" + input.id;
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    input.parentNode.appendChild(list);
    var timer = null;
    var seq = 0;

    function fill(result) {
      fields.forEach(function (key) {
        var field = form.querySelector("#id_" + key);
        if (field && result[key]) { field.value = result[key]; }
      });
      var note = input.parentNode.querySelector(".register-lookup-note");
      if (!note) {
        note = document.createElement("p");
        note.className = "register-lookup-note muted";
        input.parentNode.appendChild(note);
      }
      note.textContent = (form.getAttribute("data-register-filled") || "") + " " + result.detail;
      list.hidden = true;
      input.focus();
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
          if (event.key === "ArrowDown" && item.nextSibling) { event.preventDefault(); item.nextSibling.focus(); }
          if (event.key === "ArrowUp") { event.preventDefault(); (item.previousSibling || input).focus(); }
          if (event.key === "Escape") { list.hidden = true; input.focus(); }
        });
        list.appendChild(item);
      });
      list.hidden = results.length === 0;
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var term = input.value.trim();
      if (term.length < 3) { list.hidden = true; return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch(url + "?q=" + encodeURIComponent(term), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { if (mine === seq) { show(data.results || []); } })
          .catch(function () { list.hidden = true; });
      }, 250);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden && list.firstChild) { event.preventDefault(); list.firstChild.focus(); }
      if (event.key === "Escape") { list.hidden = true; }
    });
  }

  function init(form) {
    var url = form.getAttribute("data-register-lookup");
    if (!url) { return; }
    var fields = (form.getAttribute("data-register-fields") || ORGANISATION_FIELDS).split(" ");
    (form.getAttribute("data-register-inputs") || "name").split(" ").forEach(function (name) {
      var input = form.querySelector("#id_" + name);
      if (input) { attach(form, input, url, fields); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-register-lookup]").forEach(init);
  });
})();
