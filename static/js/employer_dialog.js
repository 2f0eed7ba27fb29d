// The learner form's Add Employer dialog: htmx loads it, this opens it as a modal, closes it on
// Save, Cancel or Esc, and returns focus to the + button that opened it.
(function () {
  "use strict";
  var host = document.getElementById("dialog-host");
  var opener = document.getElementById("add-employer-button");
  if (!host || !opener) return;

  function dialog() { return host.querySelector("dialog"); }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var box = dialog();
    if (event.detail.target !== host || !box || box.open) return;
    box.addEventListener("close", function () {
      host.innerHTML = "";
      opener.focus();
    });
    box.showModal();
    var first = box.querySelector("select, input:not([type=hidden]):not([tabindex='-1'])");
    if (first) first.focus();
  });

  // The server fires this after htmx has settled the saved record into the list, so closing
  // the dialog (and handing focus back to +) is the last thing that happens.
  document.body.addEventListener("employerRecordSaved", function () {
    var box = dialog();
    var radios = document.querySelectorAll("#employer-records input[name=primary_record]");
    if (radios.length && !document.querySelector("#employer-records input[name=primary_record]:checked")) {
      radios[0].checked = true;
    }
    if (box) box.close();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) {
      var box = dialog();
      if (box) box.close();
      return;
    }
    var remove = event.target.closest("[data-remove-record]");
    if (remove) {
      event.preventDefault();
      remove.closest(".employer-record").remove();
      opener.focus();
    }
  });
})();
