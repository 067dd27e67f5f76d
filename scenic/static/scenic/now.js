/*
 * "Right now" (/now/): every 30 s, asks GET /api/v1/now and puts the new numbers in place (car
 * parks' free spaces and the "full" note, spots' people and level, the notices), then shows the
 * time of the answer. No reload, no framework; without JavaScript the page is as it was served.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-now-api]");
  if (!root || !window.fetch) {
    return;
  }
  var api = root.getAttribute("data-now-api");
  var every = Number(root.getAttribute("data-poll")) || 30000;
  var nearestTemplate = document.querySelector("template[data-nearest-template]");

  function hhmm(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) {
      return "";
    }
    // Town time (Asia/Shanghai), whatever the phone's zone.
    try {
      return d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Shanghai" });
    } catch (e) {
      return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
    }
  }

  function nearestText(nearest) {
    if (!nearest || !nearestTemplate) {
      return "";
    }
    return nearestTemplate.innerHTML
      .replace("{name}", nearest.name)
      .replace("{free}", String(nearest.free))
      .replace("{km}", String(nearest.distance_km));
  }

  function updateParks(parks) {
    parks.forEach(function (park) {
      var el = root.querySelector('[data-car-park="' + park.id + '"]');
      if (!el) {
        return;
      }
      el.querySelector("[data-free]").textContent = String(park.free);
      el.querySelector("[data-total]").textContent = String(park.total);
      var meter = el.querySelector("[data-meter]");
      if (meter) {
        meter.max = park.total;
        meter.value = park.free;
      }
      el.classList.toggle("now-park--full", park.full);
      var note = el.querySelector("[data-full-note]");
      note.hidden = !park.full;
      // Text, not HTML: the names come from the API.
      el.querySelector("[data-nearest]").textContent = park.full ? decode(nearestText(park.nearest)) : "";
    });
  }

  function decode(html) {
    var box = document.createElement("textarea");
    box.innerHTML = html;
    return box.value;
  }

  function updateSpots(spots) {
    spots.forEach(function (spot) {
      var el = root.querySelector('[data-spot="' + spot.id + '"]');
      if (!el) {
        return;
      }
      var people = el.querySelector("[data-people]");
      var level = el.querySelector("[data-level]");
      if (!people || !level || spot.level === null || spot.people === null) {
        return; // nobody counts this spot
      }
      people.textContent = String(spot.people);
      if (level.getAttribute("data-level") !== spot.level) {
        // The labels, translated on the server, ride on the list.
        var label = el.parentNode.getAttribute("data-label-" + spot.level);
        level.className = "level level--" + spot.level;
        level.setAttribute("data-level", spot.level);
        if (label) {
          level.textContent = label;
        }
      }
    });
  }

  function updateNotices(notices) {
    var list = root.querySelector("[data-now-notices]");
    var section = root.querySelector("[data-now-notices-section]");
    if (!list || !section) {
      return;
    }
    var shown = Array.prototype.map.call(list.children, function (li) {
      return li.getAttribute("data-notice");
    });
    var wanted = notices.map(function (n) {
      return String(n.id);
    });
    // Remove the notices that ended; a new one is added plainly (title and text).
    Array.prototype.forEach.call(list.querySelectorAll("[data-notice]"), function (li) {
      if (wanted.indexOf(li.getAttribute("data-notice")) === -1) {
        li.remove();
      }
    });
    notices.forEach(function (n) {
      if (shown.indexOf(String(n.id)) !== -1) {
        return;
      }
      var li = document.createElement("li");
      li.className = "now-notice now-notice--" + n.level;
      li.setAttribute("data-notice", String(n.id));
      var title = document.createElement("strong");
      title.className = "now-notice__title";
      title.textContent = n.title;
      li.appendChild(title);
      if (n.text) {
        var p = document.createElement("p");
        p.textContent = n.text;
        li.appendChild(p);
      }
      list.insertBefore(li, list.firstChild);
    });
    section.hidden = notices.length === 0;
  }

  function refresh() {
    fetch(api, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        updateParks(data.car_parks || []);
        updateSpots(data.spots || []);
        updateNotices(data.notices || []);
        var stamp = root.querySelector("[data-now-updated]");
        if (stamp && data.updated_at) {
          stamp.setAttribute("datetime", data.updated_at);
          stamp.textContent = hhmm(data.updated_at);
        }
      })
      .catch(function () {
        // Poor signal: keep what is shown and try again at the next tick.
      });
  }

  window.setInterval(function () {
    if (!document.hidden) {
      refresh();
    }
  }, every);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      refresh();
    }
  });
})();
