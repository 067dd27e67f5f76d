/*
 * The problem report form: "Use my location" fills the latitude and longitude fields from the
 * phone's GPS (WGS-84, what the server stores). Without JavaScript or permission the fields and
 * the place lists still work.
 */
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  if (!button || !navigator.geolocation) {
    return;
  }
  var status = document.querySelector("[data-locate-status]");
  var lat = document.getElementById("id_latitude");
  var lng = document.getElementById("id_longitude");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
        status.textContent = button.dataset.located;
      },
      function () {
        status.textContent = button.dataset.failed;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
