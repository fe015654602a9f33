// Matches while typing, for every input with data-typeahead="<url>": the server renders
// the results (the same template as the page without JavaScript) into the element named
// by data-typeahead-target, an aria-live region. Without this script the form's button
// does the same search.
(function () {
  "use strict";
  function attach(input) {
    var target = document.getElementById(input.dataset.typeaheadTarget);
    if (!target) return;
    var timer = null;
    var last = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q === last) return;
        last = q;
        if (q.length < 2) { target.innerHTML = ""; return; }
        var url = input.dataset.typeahead + (input.dataset.typeahead.indexOf("?") < 0 ? "?" : "&") +
          "q=" + encodeURIComponent(q);
        fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
          .then(function (r) { return r.ok ? r.text() : ""; })
          .then(function (html) { if (input.value.trim() === q) target.innerHTML = html; })
          .catch(function () { /* the button still works */ });
      }, 200);
    });
  }
  document.querySelectorAll("[data-typeahead]").forEach(attach);
})();
