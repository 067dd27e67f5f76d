// On a phone the main navigation is one row that scrolls sideways: bring the reader's current
// section into view, so the highlighted link is never the one cut off at the edge.
(function () {
  var list = document.querySelector(".site-nav__list");
  var current = list && list.querySelector("[aria-current]");
  if (!current || list.scrollWidth <= list.clientWidth) return;
  list.scrollLeft = current.offsetLeft - list.offsetLeft - (list.clientWidth - current.offsetWidth) / 2;
})();
