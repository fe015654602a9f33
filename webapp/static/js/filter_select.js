// A search box above every <select data-filter="label">: typing narrows the options to
// those whose text (or data-search: phone, neighbourhood) has every typed word, accents
// ignored. Without this script the select works as ever (type its first letters).
(function () {
  "use strict";
  function plain(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var n = 0;
  document.querySelectorAll("select[data-filter]").forEach(function (select) {
    n += 1;
    var id = "filter-" + (select.id || n);
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = select.dataset.filter;
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.className = "select-filter";
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", function () {
      var words = plain(input.value).split(/\s+/).filter(Boolean);
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var text = plain(option.text + " " + (option.dataset.search || ""));
        var digits = text.replace(/\D/g, "");
        var match = words.every(function (w) {
          return text.indexOf(w) >= 0 || (/^\d{3,}$/.test(w) && digits.indexOf(w) >= 0);
        });
        option.hidden = !match;
        if (match && first === null) first = option;
      });
      if (first && select.selectedOptions[0] && select.selectedOptions[0].hidden) {
        first.selected = true;
      }
    });
  });
})();
