/*
 * The homestay page's calendar as a date picker (progressive enhancement; without it the
 * calendar is a table to read and the stay form above is typed in).
 *
 * A free night chosen first is the check-in, a later day chosen next is the check-out: both go
 * into the page's one stay form (#stay-form), whose "Show prices" puts them in the URL.
 * "Previous/next month" load the other month in place, so a half-chosen stay survives; the
 * links themselves keep the dates and guests in their query, so they also work without this.
 */
(function () {
  "use strict";

  var section = document.querySelector("[data-stay-calendar]");
  var form = document.querySelector("[data-stay-form]");
  if (!section || !form || !window.fetch || !window.DOMParser) {
    return;
  }
  var inInput = form.elements.check_in;
  var outInput = form.elements.check_out;
  var pending = null; // a check-in chosen on the calendar, waiting for its check-out

  function message(name, values) {
    var text = section.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.replace("%(" + key + ")s", values[key]);
    });
    var status = section.querySelector("[data-calendar-status]");
    if (status) {
      status.textContent = text;
    }
  }

  function bookable(cell) {
    var state = cell.getAttribute("data-state");
    return state === "free" || state === "few";
  }

  function mark() {
    var checkIn = pending || inInput.value;
    var checkOut = pending ? "" : outInput.value;
    section.querySelectorAll("td[data-date]").forEach(function (cell) {
      var day = cell.getAttribute("data-date");
      var chosen = checkIn && (day === checkIn || (checkOut && day > checkIn && day < checkOut));
      cell.classList.toggle("day--chosen", Boolean(chosen));
      cell.classList.toggle("day--check-out", Boolean(checkOut && day === checkOut));
      var button = cell.querySelector(".day-pick");
      if (button) {
        button.setAttribute("aria-pressed", chosen || (checkOut && day === checkOut) ? "true" : "false");
      }
    });
  }

  // Every night between check-in and check-out must be free in the room's own calendar (the
  // nights of other months are checked by the server when the prices are asked for).
  function nightsFree(table, checkIn, checkOut) {
    var ok = true;
    table.querySelectorAll("td[data-date]").forEach(function (cell) {
      var day = cell.getAttribute("data-date");
      if (day >= checkIn && day < checkOut && !bookable(cell)) {
        ok = false;
      }
    });
    return ok;
  }

  function choose(cell) {
    var day = cell.getAttribute("data-date");
    if (pending && day > pending) {
      if (nightsFree(cell.closest("table"), pending, day)) {
        inInput.value = pending;
        outInput.value = day;
        pending = null;
        mark();
        message("chosen", { in: inInput.value, out: outInput.value });
        var submit = form.querySelector('[type="submit"]');
        if (submit) {
          submit.focus();
        }
        return;
      }
      message("taken");
      pending = null;
    }
    if (!bookable(cell)) {
      message("pick-in");
      mark();
      return;
    }
    pending = day;
    inInput.value = day;
    outInput.value = "";
    mark();
    message("pick-out", { date: day });
  }

  function enhance(root) {
    root.querySelectorAll("td[data-date]").forEach(function (cell) {
      if (cell.querySelector(".day-pick")) {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "day-pick";
      while (cell.firstChild) {
        button.appendChild(cell.firstChild);
      }
      cell.appendChild(button);
    });
    var help = root.querySelector("[data-calendar-help]");
    if (help) {
      help.hidden = false;
    }
    mark();
  }

  function loadMonth(url) {
    section.setAttribute("aria-busy", "true");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-stay-calendar]");
        if (!fresh) {
          throw new Error("no calendar");
        }
        var status = section.querySelector("[data-calendar-status]");
        var said = status ? status.textContent : "";
        section.innerHTML = fresh.innerHTML;
        enhance(section);
        var newStatus = section.querySelector("[data-calendar-status]");
        if (newStatus) {
          newStatus.textContent = said;
        }
        history.replaceState(null, "", url);
        var heading = section.querySelector("h2");
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus({ preventScroll: true });
        }
      })
      .finally(function () {
        section.removeAttribute("aria-busy");
      });
  }

  section.addEventListener("click", function (event) {
    var link = event.target.closest("[data-month-link]");
    if (link) {
      event.preventDefault();
      loadMonth(link.href).catch(function () {
        window.location.href = link.href; // the plain link still works
      });
      return;
    }
    var button = event.target.closest(".day-pick");
    if (button) {
      choose(button.closest("td"));
    }
  });

  // Dates typed into the form show on the calendar too.
  form.addEventListener("change", function (event) {
    if (event.target === inInput || event.target === outInput) {
      pending = null;
      mark();
    }
  });

  enhance(section);
  if (!inInput.value) {
    message("pick-in");
  }
})();
