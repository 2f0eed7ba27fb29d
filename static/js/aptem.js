// Leaving a form marked data-confirm-discard with something typed asks first: Close, the
// navigation bar, the breadcrumb and Sign out alike.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm-discard]").forEach(function (form) {
    var initial = new URLSearchParams(new FormData(form)).toString();
    function changed() {
      return new URLSearchParams(new FormData(form)).toString() !== initial;
    }
    // Close, and every other way off the page: the navigation bar, the breadcrumb, Sign out.
    document.addEventListener("click", function (event) {
      var way = event.target.closest(
        "a[href], [data-discard-link], form:not([data-confirm-discard]) button[type=submit]"
      );
      if (!way || (way.closest("form") === form && !way.hasAttribute("data-discard-link"))) return;
      if (way.matches("a[href^='#']") || way.closest("dialog")) return;
      if (changed() && !window.confirm("Leave without saving? What you typed will be lost.")) {
        event.preventDefault();
      }
    });
  });
})();

// Enter in a text box of a long form (marked data-enter-guard) never submits it: in a section's
// own box (data-enter="<its button's id>") it presses that button (search, add); anywhere else
// it does nothing. Only the form's own Create or Save button creates or saves.
(function () {
  "use strict";
  var passThrough = ["submit", "button", "reset", "image", "file"];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.defaultPrevented) return;
    var field = event.target;
    if (!(field instanceof HTMLInputElement) || passThrough.indexOf(field.type) >= 0) return;
    if (!field.form || !field.form.hasAttribute("data-enter-guard")) return;
    event.preventDefault();
    var button = field.dataset.enter && document.getElementById(field.dataset.enter);
    if (button) button.click();
  });
})();

// After htmx redraws part of a page, the keyboard user carries on where they were: htmx gives
// the focus back to the control with the same id; when the redraw brought errors, the error
// summary takes it instead (it lists each problem, linked to its field).
(function () {
  "use strict";
  var errorsArrived = false;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var text = event.detail.xhr ? event.detail.xhr.responseText : "";
    errorsArrived = text.indexOf('id="error-summary"') >= 0;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var scope = document.querySelector("dialog[open]") || document;
    var summary = scope.querySelector("#error-summary");
    if (errorsArrived && summary) {
      errorsArrived = false;
      summary.focus();
    }
  });
})();

// "Select everyone on this page" ticks the page's boxes in place (without JavaScript the link
// draws the page again with them ticked).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-select-all]");
    if (!link) return;
    var form = document.getElementById(link.dataset.selectAll);
    if (!form) return;
    event.preventDefault();
    form.querySelectorAll("input[type=checkbox][name=users]").forEach(function (box) {
      box.checked = true;
    });
  });
})();

// A button marked data-copy="<id of a text box>" copies that box's text to the clipboard and
// says so in its live region (data-copy-status="<id>"); the box stays selectable without it.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var box = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.copyStatus);
    button.hidden = !(box && navigator.clipboard);
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(box.value).then(
        function () { if (status) status.textContent = "Copied to the clipboard."; },
        function () {
          box.select();
          if (status) status.textContent = "Could not copy: the token is selected, copy it yourself.";
        }
      );
    });
  });
})();
