// Polls a match run's status and moves on to its results when it is finished.
// A file, not an inline script: the content security policy allows only this site's files.
(function () {
  var box = document.getElementById("match-progress");
  if (!box) { return; }
  var bar = document.getElementById("match-bar");
  var text = document.getElementById("match-text");
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.value = s.progress;
        bar.textContent = Math.round(s.progress * 100) + "%";
        text.textContent = s.text;
        if (s.finished) { window.location.assign(s.url); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
