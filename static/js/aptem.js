// Close asks before discarding what was typed on a form marked data-confirm-discard.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm-discard]").forEach(function (form) {
    var initial = new URLSearchParams(new FormData(form)).toString();
    function changed() {
      return new URLSearchParams(new FormData(form)).toString() !== initial;
    }
    form.querySelectorAll("[data-discard-link]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (changed() && !window.confirm("Leave without saving? What you typed will be lost.")) {
          event.preventDefault();
        }
      });
    });
  });
})();
