/*
 * Maps of the site: draws every <div class="map" data-markers="..."> with Leaflet.
 *
 * Markers come from a json_script element ({lat, lng, title, url?, label?}, WGS-84). The tile
 * provider is a setting; Chinese providers (AMap, Tianditu's GCJ layers) draw in GCJ-02, so the
 * points are shifted here when data-tile-coords="gcj02". Leaflet is loaded once, on demand,
 * from the site's own static files. No inline script: the CSP forbids it.
 */
(function () {
  "use strict";

  if (window.TianyuanMap) {
    return; // the include may add this script more than once per page
  }

  // ---- WGS-84 -> GCJ-02 (the published "Mars coordinates" transform, Krasovsky 1940 ellipsoid)
  var PI = Math.PI;
  var A = 6378245.0;
  var EE = 0.00669342162296594323;

  function outOfChina(lat, lng) {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function transformLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
    r += ((20.0 * Math.sin(y * PI) + 40.0 * Math.sin((y / 3.0) * PI)) * 2.0) / 3.0;
    r += ((160.0 * Math.sin((y / 12.0) * PI) + 320.0 * Math.sin((y * PI) / 30.0)) * 2.0) / 3.0;
    return r;
  }

  function transformLng(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
    r += ((20.0 * Math.sin(x * PI) + 40.0 * Math.sin((x / 3.0) * PI)) * 2.0) / 3.0;
    r += ((150.0 * Math.sin((x / 12.0) * PI) + 300.0 * Math.sin((x / 30.0) * PI)) * 2.0) / 3.0;
    return r;
  }

  function wgs84ToGcj02(lat, lng) {
    if (outOfChina(lat, lng)) {
      return [lat, lng];
    }
    var dLat = transformLat(lng - 105.0, lat - 35.0);
    var dLng = transformLng(lng - 105.0, lat - 35.0);
    var radLat = (lat / 180.0) * PI;
    var magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * PI);
    dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * PI);
    return [lat + dLat, lng + dLng];
  }

  // The inverse, for a point tapped on a GCJ-02 map: no closed form, but a few rounds of
  // "shift back by the forward shift" land within millimetres.
  function gcj02ToWgs84(lat, lng) {
    if (outOfChina(lat, lng)) {
      return [lat, lng];
    }
    var wLat = lat;
    var wLng = lng;
    for (var i = 0; i < 5; i++) {
      var g = wgs84ToGcj02(wLat, wLng);
      wLat += lat - g[0];
      wLng += lng - g[1];
    }
    return [wLat, wLng];
  }

  // ---- loading Leaflet once
  var leafletPromise = null;

  function loadLeaflet(jsUrl, cssUrl) {
    if (window.L) {
      return Promise.resolve(window.L);
    }
    if (leafletPromise) {
      return leafletPromise;
    }
    leafletPromise = new Promise(function (resolve, reject) {
      if (cssUrl && !document.querySelector('link[data-leaflet-css]')) {
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = cssUrl;
        link.setAttribute("data-leaflet-css", "");
        document.head.appendChild(link);
      }
      var script = document.createElement("script");
      script.src = jsUrl;
      script.onload = function () {
        resolve(window.L);
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return leafletPromise;
  }

  // ---- drawing
  function readMarkers(el) {
    var source = document.getElementById(el.getAttribute("data-markers"));
    if (!source) {
      return [];
    }
    try {
      var data = JSON.parse(source.textContent);
      return Array.isArray(data) ? data : [];
    } catch (e) {
      return [];
    }
  }

  function popupContent(marker) {
    var box = document.createElement("div");
    var node;
    if (marker.url) {
      node = document.createElement("a");
      node.href = marker.url;
    } else {
      node = document.createElement("strong");
    }
    node.textContent = marker.title || "";
    box.appendChild(node);
    var label = marker.label === undefined || marker.label === null ? "" : String(marker.label);
    if (label.length > 3) {
      var note = document.createElement("div");
      note.textContent = label;
      box.appendChild(note);
    }
    return box;
  }

  function labelIcon(L, label, kind) {
    var span = document.createElement("span");
    span.className = "map-marker__label";
    span.textContent = String(label);
    // Facilities (toilets, first aid…) look apart from the places and stops they sit near.
    var className = kind ? "map-marker map-marker--" + kind : "map-marker";
    return L.divIcon({ className: className, html: span, iconSize: [28, 28], iconAnchor: [14, 14] });
  }

  // Leaflet guesses its marker images' folder from leaflet.css once that has been applied; loaded
  // on demand, the stylesheet often is not yet, and the guess ends in 404s. The page names the
  // images (from the installed package's static files), so there is nothing to guess.
  function useOurMarkerImages(L, el) {
    var icon = el.getAttribute("data-leaflet-icon");
    if (!icon || L.Icon.Default.imagePath === "") {
      return;
    }
    L.Icon.Default.imagePath = "";
    L.Icon.Default.mergeOptions({
      iconUrl: icon,
      iconRetinaUrl: el.getAttribute("data-leaflet-icon-2x") || icon,
      shadowUrl: el.getAttribute("data-leaflet-shadow") || "",
    });
  }

  // A Leaflet map in ``el`` with the page's tiles, credit and zoom buttons in its language.
  function baseMap(L, el) {
    useOurMarkerImages(L, el);
    var map = L.map(el, { scrollWheelZoom: false, zoomControl: false });
    // Leaflet speaks English: the zoom buttons take their names from the page, in its language,
    // and the credit to Leaflet keeps its name without its English tooltip.
    L.control
      .zoom({
        zoomInTitle: el.getAttribute("data-zoom-in-title") || "+",
        zoomOutTitle: el.getAttribute("data-zoom-out-title") || "-",
      })
      .addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    L.tileLayer(el.getAttribute("data-tile-url"), {
      attribution: el.getAttribute("data-tile-attribution") || "",
      subdomains: el.getAttribute("data-tile-subdomains") || "abc",
      maxZoom: 19,
    }).addTo(map);
    return map;
  }

  function draw(L, el) {
    var markers = readMarkers(el).filter(function (m) {
      return isFinite(m.lat) && isFinite(m.lng);
    });
    if (!markers.length) {
      return;
    }
    var gcj = el.getAttribute("data-tile-coords") === "gcj02";
    var project = function (m) {
      var lat = Number(m.lat);
      var lng = Number(m.lng);
      return gcj ? wgs84ToGcj02(lat, lng) : [lat, lng];
    };

    el.hidden = false;
    var map = baseMap(L, el);

    var stops = [];
    var points = markers.map(function (m) {
      var latlng = project(m);
      var options = { title: m.title || "", alt: m.title || "" };
      // A short label (a stop's number) is drawn on the marker; anything longer goes in the popup.
      var label = m.label === undefined || m.label === null ? "" : String(m.label);
      if (label && label.length <= 3) {
        options.icon = labelIcon(L, label, m.kind);
      }
      L.marker(latlng, options).addTo(map).bindPopup(popupContent(m));
      if (m.kind !== "facility") {
        stops.push(latlng);
      }
      return latlng;
    });

    if (el.getAttribute("data-route") === "1" && stops.length > 1) {
      L.polyline(stops, { className: "map-route", weight: 4 }).addTo(map);
    }
    if (points.length === 1) {
      map.setView(points[0], Number(el.getAttribute("data-zoom")) || 14);
    } else {
      map.fitBounds(L.latLngBounds(points), { padding: [24, 24] });
    }

    // With the map drawn, the list of places folds away (it stays for screen readers and no-JS).
    var list = document.querySelector('[data-map-list="' + el.id + '"]');
    if (list) {
      list.open = false;
    }
  }

  function init() {
    var maps = document.querySelectorAll(".map[data-markers]:not([data-map-drawn])");
    if (!maps.length) {
      return;
    }
    var first = maps[0];
    loadLeaflet(first.getAttribute("data-leaflet-js"), first.getAttribute("data-leaflet-css")).then(
      function (L) {
        Array.prototype.forEach.call(maps, function (el) {
          el.setAttribute("data-map-drawn", "");
          draw(L, el);
        });
      },
      function () {
        // Leaflet could not load: the list of places is the map.
      }
    );
  }

  // For the page scripts that make maps of their own (the problem report's place picker).
  function load(el) {
    return loadLeaflet(el.getAttribute("data-leaflet-js"), el.getAttribute("data-leaflet-css"));
  }

  window.TianyuanMap = {
    init: init,
    load: load,
    baseMap: baseMap,
    wgs84ToGcj02: wgs84ToGcj02,
    gcj02ToWgs84: gcj02ToWgs84,
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
