/*
 * Staff counters (+1/−1, a typed count): each press of a form marked data-press-key gets a new
 * key (a UUID) in its hidden "press_key" field as it is sent. The server counts a key once, so
 * the same request sent again (the browser's retry over poor signal) does not count twice.
 * Without JavaScript the form still counts, without that protection.
 */
(function () {
  "use strict";

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-press-key")) {
      return;
    }
    var field = form.querySelector('input[name="press_key"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "press_key";
      form.appendChild(field);
    }
    field.value = uuid();
  });
})();
