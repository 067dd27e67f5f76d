/*
 * The homestay search: its filters (a <details data-open-wide>) start folded so a phone shows
 * results first; on a wide screen there is room, so they open. No inline script: the CSP forbids it.
 */
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 56rem)").matches) {
    return;
  }
  document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
    details.open = true;
  });
})();
