// A server-backed combobox (the WAI-ARIA combobox pattern with a listbox popup) that enhances a
// <select data-combobox="URL">. Without JavaScript the select, with its Find box, is the picker;
// with it, the person types, the server answers with matching options as JSON
// ([{"value": "12", "label": "Site Foreman"}]), arrows move, Enter or a click chooses, Escape
// closes. The chosen value still travels in the (now hidden) select, so the form posts as before.
//
// A choice may redraw the part of the page holding the combobox (the learner's Add Employer
// dialog redraws itself when an employer is chosen); the new combobox then takes the focus back,
// so a keyboard user carries on from where they were.
(function () {
  "use strict";
  var counter = 0;
  var refocus = null;  // the id of the combobox that made the last choice

  function enhance(select) {
    if (select.dataset.comboboxReady) return;
    select.dataset.comboboxReady = "1";
    var hadFocus = document.activeElement === select;
    var url = select.dataset.combobox;
    var id = select.id + "-combobox";
    var listId = select.id + "-options";
    var statusId = select.id + "-status";
    var label = document.querySelector('label[for="' + select.id + '"]');

    var input = document.createElement("input");
    input.type = "text";
    input.id = id;
    input.className = "form-control";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");
    var describedBy = select.getAttribute("aria-describedby");
    if (describedBy) input.setAttribute("aria-describedby", describedBy);
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
    var chosen = select.options[select.selectedIndex];
    input.value = chosen && chosen.value ? chosen.text : "";
    input.placeholder = "Type to search";

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "combobox-options list-group position-absolute w-100 shadow";
    list.setAttribute("role", "listbox");
    if (label) {
      label.id = label.id || select.id + "-label";
      list.setAttribute("aria-labelledby", label.id);
      label.htmlFor = id;
    }
    list.hidden = true;

    var status = document.createElement("div");
    status.id = statusId;
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");

    var box = document.createElement("div");
    box.className = "combobox position-relative";
    select.parentNode.insertBefore(box, select);
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(status);
    box.appendChild(select);
    select.hidden = true;
    select.tabIndex = -1;
    var fallback = select.closest("section, form").querySelectorAll(
      '[data-combobox-fallback="' + select.id + '"]'
    );
    fallback.forEach(function (element) { element.hidden = true; });

    var focusLost = !document.activeElement || document.activeElement === document.body;
    if (hadFocus || (refocus === id && focusLost)) {
      input.focus();
    }

    var options = [];
    var active = -1;
    var timer = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function show(items) {
      list.innerHTML = "";
      options = items.map(function (item, index) {
        var option = document.createElement("li");
        option.id = listId + "-" + (++counter);
        option.className = "list-group-item list-group-item-action";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.label;
        option.dataset.value = item.value;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep focus in the input
          choose(index);
        });
        list.appendChild(option);
        return option;
      });
      status.textContent = items.length
        ? items.length + (items.length === 1 ? " result" : " results") + ". Use the arrow keys to choose."
        : "No matches.";
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      active = -1;
    }

    function highlight(index) {
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
        option.classList.toggle("active", i === active);
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var option = options[index];
      if (!option) return;
      var value = option.dataset.value;
      var existing = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
      if (!existing) {
        existing = new Option(option.textContent, value);
        select.add(existing);
      }
      select.value = value;
      input.value = option.textContent;
      status.textContent = option.textContent + " chosen.";
      close();
      refocus = id;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function search() {
      var query = new URLSearchParams({ q: input.value });
      fetch(url + "?" + query.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (document.activeElement === input) show(data.results || []); })
        .catch(function () { status.textContent = "Could not search just now. Try again."; });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (!input.value.trim() && select.value) {
        select.value = "";
        // A filter (data-combobox-clearable) applies "any" as soon as its box is emptied.
        if (select.dataset.comboboxClearable) {
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      }
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) { event.preventDefault(); choose(active); }
        else if (!list.hidden) { event.preventDefault(); }
      } else if (event.key === "Escape") {
        // An open list closes first; only a second Escape reaches a surrounding dialog.
        if (!list.hidden) { event.preventDefault(); event.stopPropagation(); close(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    // The typed text is not the value: only a choice (the select's own change) tells the page.
    input.addEventListener("change", function (event) { event.stopPropagation(); });
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("select[data-combobox]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.body.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
  enhanceAll(document);
})();
