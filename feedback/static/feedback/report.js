/*
 * The problem report form: "Use my location" fills the latitude and longitude fields from the
 * phone's GPS, and a tap on the map (site/static/js/map.js loads Leaflet) fills them with the
 * point tapped and shows a marker there; both in WGS-84, what the server stores. Without
 * JavaScript, permission or Leaflet, the place lists and the fields still work.
 */
(function () {
  "use strict";
  var lat = document.getElementById("id_latitude");
  var lng = document.getElementById("id_longitude");
  if (!lat || !lng) {
    return;
  }
  var showPoint = function () {}; // set once the map is drawn

  function fieldsPoint() {
    var a = parseFloat(lat.value);
    var b = parseFloat(lng.value);
    if (!isFinite(a) || !isFinite(b) || Math.abs(a) > 90 || Math.abs(b) > 180) {
      return null;
    }
    return [a, b];
  }

  // ---- "Use my location"
  var button = document.querySelector("[data-locate]");
  if (button && navigator.geolocation) {
    var status = document.querySelector("[data-locate-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.locating;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          lat.value = position.coords.latitude.toFixed(6);
          lng.value = position.coords.longitude.toFixed(6);
          status.textContent = button.dataset.located;
          showPoint(fieldsPoint(), true);
        },
        function () {
          status.textContent = button.dataset.failed;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  // ---- tapping the map
  var el = document.querySelector("[data-map-pick]");
  var box = document.querySelector("[data-pick-box]");
  if (!el || !box || !window.TianyuanMap) {
    return;
  }
  var maps = window.TianyuanMap;
  var gcj = el.getAttribute("data-tile-coords") === "gcj02";
  // Points are WGS-84 in the fields and in GCJ-02 on a Chinese provider's tiles.
  function onMap(point) {
    return gcj ? maps.wgs84ToGcj02(point[0], point[1]) : point;
  }
  function fromMap(latlng) {
    return gcj ? maps.gcj02ToWgs84(latlng.lat, latlng.lng) : [latlng.lat, latlng.lng];
  }

  maps.load(el).then(
    function (L) {
      box.hidden = false;
      var map = maps.baseMap(L, el);
      var edges = (el.getAttribute("data-bounds") || "").split(",").map(Number);
      var south = onMap([edges[0], edges[1]]);
      var north = onMap([edges[2], edges[3]]);
      map.fitBounds(L.latLngBounds(south, north), { padding: [24, 24], maxZoom: 15 });
      var marker = null;
      var pickStatus = document.querySelector("[data-pick-status]");

      showPoint = function (point, pan) {
        if (!point) {
          return;
        }
        var where = onMap(point);
        if (marker) {
          marker.setLatLng(where);
        } else {
          var title = el.getAttribute("data-marker-title") || "";
          marker = L.marker(where, { title: title, alt: title, keyboard: false }).addTo(map);
        }
        if (pan) {
          map.panTo(where);
        }
      };

      map.on("click", function (event) {
        var point = fromMap(event.latlng);
        lat.value = point[0].toFixed(6);
        lng.value = point[1].toFixed(6);
        showPoint(point, false);
        pickStatus.textContent = el.getAttribute("data-picked") || "";
      });
      // Typed coordinates (or a form sent back with an error) show on the map too.
      lat.addEventListener("change", function () {
        showPoint(fieldsPoint(), true);
      });
      lng.addEventListener("change", function () {
        showPoint(fieldsPoint(), true);
      });
      showPoint(fieldsPoint(), true);
    },
    function () {
      // Leaflet could not load: the lists and the fields are the way.
    }
  );
})();
