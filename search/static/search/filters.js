// The search filters are folded (a <details>) so a phone shows the results first; on a screen
// wide enough to show them beside the results, open them. Without JavaScript they stay one tap away.
(function () {
  "use strict";
  var fold = document.querySelector("details[data-open-from]");
  if (!fold || !window.matchMedia) return;
  if (window.matchMedia("(min-width: " + fold.getAttribute("data-open-from") + ")").matches) fold.open = true;
})();
