// fundrules — progressive enhancement only: the page works the same without this script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // the print button of the detail view (hidden without JavaScript: the browser's own print works too)
  document.querySelectorAll("button.print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // printing: the answers given are part of the page handed over, even when their list is folded
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  // nothing is kept on the server: starting again loses the answers not downloaded
  document.querySelectorAll("a.new-case").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var answered = document.querySelectorAll(".given li").length > 0;
      if (answered && !window.confirm("Recommencer ? Les réponses non téléchargées seront perdues.")) {
        event.preventDefault();
      }
    });
  });
  // after a refused answer, the field takes the focus with its text selected, ready to be corrected
  var invalid = document.querySelector('input[aria-invalid="true"]');
  if (invalid) { invalid.focus(); invalid.select(); }
});
