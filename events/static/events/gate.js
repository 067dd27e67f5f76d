// Gate check-in: where the browser has BarcodeDetector, a button reads the QR code with the
// phone's camera into the code field and submits it. Without it, the page works as a form.
(function () {
  "use strict";
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var button = document.getElementById("gate-camera");
  var video = document.getElementById("gate-video");
  var input = document.getElementById("gate-code");
  if (!button || !video || !input) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        return video.play().then(function () {
          var look = function () {
            detector
              .detect(video)
              .then(function (codes) {
                if (codes.length) {
                  stream.getTracks().forEach(function (track) { track.stop(); });
                  input.value = codes[0].rawValue;
                  input.form.submit();
                } else {
                  window.requestAnimationFrame(look);
                }
              })
              .catch(function () { window.requestAnimationFrame(look); });
          };
          look();
        });
      })
      .catch(function () { button.hidden = true; });
  });
})();
