// The countdown before a live session starts (live/session.html): "01:23:45" to the start given
// in data-live-countdown (ISO 8601), then the page reloads to show the stream and the session
// prices. Without JavaScript the start time stays shown.
(function () {
  "use strict";
  var box = document.querySelector("[data-live-countdown]");
  if (!box) return;
  var start = Date.parse(box.getAttribute("data-live-countdown"));
  var out = box.querySelector("[data-live-countdown-time]");
  if (isNaN(start) || !out) return;
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = Math.max(0, Math.round((start - Date.now()) / 1000));
    var days = Math.floor(left / 86400);
    var rest = left % 86400;
    var text = two(Math.floor(rest / 3600)) + ":" + two(Math.floor((rest % 3600) / 60)) + ":" + two(rest % 60);
    out.textContent = days > 0 ? days + (document.documentElement.lang.indexOf("zh") === 0 ? " 天 " : " d ") + text : text;
    if (left === 0) {
      clearInterval(timer);
      // A moment after the start, so the server already sees the session live.
      setTimeout(function () { window.location.reload(); }, 1500);
    }
  }
  var timer = setInterval(tick, 1000);
  tick();
})();
