/* The observatory's charts (Chart.js) and map (Leaflet), both from the npm registry
   (make vendor). Each chart is drawn from the table right below it, so the table is the
   chart's text alternative and nothing is drawn that the table does not say; a withheld
   cell ("x") is a gap. Without the libraries, or without JavaScript, the tables stay. */
(function () {
  "use strict";
  var COLOURS = ["#0b5394", "#b45f06", "#1e6b2e", "#6a1b9a", "#b00020", "#4a4a4a"];

  function readTable(table) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells, 1);
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var labels = rows.map(function (r) { return r.cells[0].textContent.trim(); });
    var datasets = [];
    heads.forEach(function (th, i) {
      if (!th.hasAttribute("data-series")) { return; }
      datasets.push({
        label: th.textContent.trim(),
        data: rows.map(function (r) {
          var raw = r.cells[i + 1].getAttribute("data-value");
          return raw === "" || raw === null ? null : parseFloat(raw);
        }),
        borderColor: COLOURS[datasets.length % COLOURS.length],
        backgroundColor: COLOURS[datasets.length % COLOURS.length],
        spanGaps: false
      });
    });
    return { labels: labels, datasets: datasets };
  }

  function drawCharts() {
    if (typeof window.Chart === "undefined") { return; }
    document.querySelectorAll("figure.obs-chart").forEach(function (fig) {
      var table = document.getElementById(fig.getAttribute("data-table"));
      if (!table || !table.tBodies[0] || !table.tBodies[0].rows.length) { return; }
      var data = readTable(table);
      if (!data.datasets.length) { return; }
      fig.hidden = false;
      new window.Chart(fig.querySelector("canvas"), {
        type: fig.getAttribute("data-chart") || "bar",
        data: data,
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          scales: { y: { beginAtZero: true } },
          plugins: { legend: { position: "bottom" } }
        }
      });
    });
  }

  function drawMap() {
    var el = document.querySelector("[data-observatory-map]");
    if (!el || typeof window.L === "undefined") { return; }
    var L = window.L;
    var cfg = JSON.parse(el.getAttribute("data-observatory-map"));
    var labels = cfg.labels || {};
    var renderer = L.canvas({ padding: 0.5 });
    var map = L.map(el, { zoomControl: false, keyboard: true, renderer: renderer })
      .setView(cfg.centre || [0, 0], 14);
    L.control.zoom({ zoomInTitle: labels.zoom_in, zoomOutTitle: labels.zoom_out }).addTo(map);
    var townShown = false;
    function showTown() {
      if (townShown) { return; }
      townShown = true;
      (cfg.town || []).forEach(function (p) {
        L.circleMarker(p, { renderer: renderer, radius: 2, stroke: false, fillColor: "#6b6b6b",
          fillOpacity: 0.6, interactive: false }).addTo(map);
      });
    }
    if (cfg.tiles) {
      var tiles = L.tileLayer(cfg.tiles, { attribution: cfg.attribution, maxZoom: 19 });
      tiles.once("tileerror", showTown);
      tiles.addTo(map);
    } else {
      showTown();
    }
    var most = 1;
    cfg.areas.forEach(function (a) { most = Math.max(most, a.values.served || 0); });
    var bounds = [];
    cfg.areas.forEach(function (a) {
      var served = a.values.served === undefined ? null : a.values.served;
      var radius = served === null ? 8 : 8 + 22 * Math.sqrt(served / most);
      var lines = [a.name];
      Object.keys(cfg.columns).forEach(function (k) {
        if (a.text[k] === undefined) { return; }  // a table without this neighbourhood
        lines.push(cfg.columns[k] + ": " + (a.text[k] === "x" ? labels.withheld : a.text[k]));
      });
      var tip = lines.join("\n");
      L.circleMarker([a.lat, a.lon], {
        renderer: renderer, radius: radius, color: a.values.unmet ? "#b00020" : "#0b5394",
        weight: a.values.unmet ? 4 : 1, fillColor: served === null ? "#9e9e9e" : "#0b5394",
        fillOpacity: 0.45
      }).bindTooltip(tip.replace(/\n/g, "<br>")).addTo(map);
      // Residents at high risk with no service: a label beside the circle, shown when
      // there are some or the count is withheld ("x"); not focusable (the table is its
      // text alternative).
      var risk = a.text.unserved;
      if (risk !== undefined && risk !== "0" && risk !== "\u2013") {
        var label = document.createElement("span");
        label.textContent = "\u25b2 " + risk;
        L.marker([a.lat, a.lon], {
          icon: L.divIcon({ className: "obs-risk", html: label.outerHTML, iconSize: null,
            iconAnchor: [-radius - 4, 10] }),
          interactive: false, keyboard: false
        }).addTo(map);
      }
      bounds.push([a.lat, a.lon]);
    });
    if (bounds.length > 1) { map.fitBounds(bounds, { padding: [40, 40], maxZoom: 16 }); }
  }

  function start() { drawCharts(); drawMap(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
