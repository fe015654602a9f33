/* Ponte's pin map: place or correct a pin on a Leaflet map, keeping the latitude and
   longitude fields beside it in step (they are the way without a pointer, and without
   JavaScript). Leaflet comes from the npm registry at set-up (make vendor); if it is
   missing the fields alone still work.

   Markup: <div class="pin-map" data-map='{...}' data-lat="lat" data-lon="lon"></div>
   where data-map is places.maps.map_data(): tiles ("" = none), attribution, centre, pin,
   radius_km, people [{lat, lon, label, kind}], town [[lat, lon]...] and labels.
   Keyboard: Tab to the map and use the arrow keys to move it, + and - to zoom; Tab to
   the pin and use the arrow keys to move it (Shift: ten times further); or press
   "Put the pin at the centre of the map". */
(function () {
  "use strict";
  if (typeof window.L === "undefined") { return; }
  var L = window.L;
  var COLOURS = { resident: "#0b5394", volunteer: "#1e6b2e", place: "#6a1b9a", other: "#4a4a4a" };
  var STEP = 0.0001; /* about 11 m of latitude */

  function parse(text) {
    var value = parseFloat(String(text || "").trim().replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function setUp(el) {
    var cfg = JSON.parse(el.getAttribute("data-map"));
    var labels = cfg.labels || {};
    var latInput = document.getElementById(el.getAttribute("data-lat"));
    var lonInput = document.getElementById(el.getAttribute("data-lon"));
    var scope = el.parentNode;
    var status = scope.querySelector("[data-pin-status]");
    var centreButton = scope.querySelector("[data-pin-centre]");
    var readOnly = !latInput || !lonInput;
    var renderer = L.canvas({ padding: 0.5 });
    var centre = cfg.pin || cfg.centre || [0, 0];
    var map = L.map(el, { zoomControl: false, keyboard: true, renderer: renderer })
      .setView(centre, cfg.pin ? 16 : 14);
    L.control.zoom({
      zoomInTitle: labels.zoom_in || "Zoom in",
      zoomOutTitle: labels.zoom_out || "Zoom out"
    }).addTo(map);
    el.setAttribute("aria-label", labels.map || "Map");

    var townShown = false;
    function showTown() {
      if (townShown) { return; }
      townShown = true;
      el.classList.add("pin-map-offline");
      (cfg.town || []).forEach(function (p) {
        L.circleMarker(p, {
          renderer: renderer, radius: 2, stroke: false, fillColor: "#6b6b6b",
          fillOpacity: 0.7, interactive: false
        }).addTo(map);
      });
    }
    if (cfg.tiles) {
      var tiles = L.tileLayer(cfg.tiles, { attribution: cfg.attribution, maxZoom: 19 });
      tiles.once("tileerror", showTown); /* offline, or the server refuses us */
      tiles.addTo(map);
    } else {
      showTown();
    }

    (cfg.people || []).forEach(function (p) {
      L.circleMarker([p.lat, p.lon], {
        renderer: renderer, radius: 7, weight: 2, color: "#ffffff",
        fillColor: COLOURS[p.kind] || COLOURS.other, fillOpacity: 0.95
      }).bindTooltip(p.label).addTo(map);
    });

    var marker = null;
    var circle = null;
    function say(lat, lon) {
      if (status) {
        status.textContent = (labels.pin_at || "Pin at") + " " + lat.toFixed(5) + ", " + lon.toFixed(5);
      }
    }
    function place(lat, lon, fromFields) {
      var where = L.latLng(lat, lon);
      if (!marker) {
        marker = L.marker(where, {
          draggable: !readOnly, keyboard: true, title: labels.pin || "Pin",
          alt: labels.pin || "Pin"
        }).addTo(map);
        if (!readOnly) {
          marker.on("dragend", function () {
            var at = marker.getLatLng();
            place(at.lat, at.lng, false);
          });
          marker.getElement().addEventListener("keydown", nudge);
        }
      } else {
        marker.setLatLng(where);
      }
      if (cfg.radius_km) {
        if (!circle) {
          circle = L.circle(where, {
            radius: cfg.radius_km * 1000, weight: 2, dashArray: "6 6", fill: false,
            color: COLOURS.volunteer, interactive: false
          }).addTo(map);
        } else {
          circle.setLatLng(where);
        }
      }
      if (!fromFields && !readOnly) {
        latInput.value = where.lat.toFixed(5);
        lonInput.value = where.lng.toFixed(5);
      }
      say(where.lat, where.lng);
    }
    function nudge(event) {
      var moves = { ArrowUp: [1, 0], ArrowDown: [-1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      var move = moves[event.key];
      if (!move) { return; }
      event.preventDefault();
      event.stopPropagation();
      var factor = event.shiftKey ? 10 : 1;
      var at = marker.getLatLng();
      var lonStep = STEP / Math.max(Math.cos(at.lat * Math.PI / 180), 0.01);
      place(at.lat + move[0] * STEP * factor, at.lng + move[1] * lonStep * factor, false);
      map.panTo(marker.getLatLng());
    }

    /* A map inside a closed <details> has no size until it opens. */
    var details = el.closest("details");
    if (details) {
      details.addEventListener("toggle", function () {
        if (details.open) { map.invalidateSize(); map.setView(marker ? marker.getLatLng() : centre); }
      });
    }
    if (cfg.pin) { place(cfg.pin[0], cfg.pin[1], true); }
    if (readOnly) { return; }
    map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng, false); });
    function fromFields() {
      var lat = parse(latInput.value);
      var lon = parse(lonInput.value);
      if (lat !== null && lon !== null && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        place(lat, lon, true);
        map.panTo([lat, lon]);
      }
    }
    latInput.addEventListener("change", fromFields);
    lonInput.addEventListener("change", fromFields);
    if (centreButton) {
      centreButton.hidden = false;
      centreButton.addEventListener("click", function () {
        var c = map.getCenter();
        place(c.lat, c.lng, false);
      });
    }
  }

  document.querySelectorAll(".pin-map[data-map]").forEach(setUp);
})();
