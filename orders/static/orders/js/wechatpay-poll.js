// The WeChat Pay page: ask our server for the order's state every few seconds while the QR code
// is shown, and go to the order once the payment has been received (or the order has moved on).
(function () {
  "use strict";
  var status = document.getElementById("wechatpay-status");
  if (!status || !window.fetch) {
    return;
  }
  var url = status.getAttribute("data-status-url");
  var every = (parseInt(status.getAttribute("data-poll-seconds"), 10) || 3) * 1000;
  var stopAt = Date.now() + 2 * 60 * 60 * 1000; // a WeChat code is valid for two hours

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && !data.waiting) {
          window.location.assign(data.order_url);
          return;
        }
        if (Date.now() < stopAt) {
          window.setTimeout(poll, every);
        }
      })
      .catch(function () {
        window.setTimeout(poll, every * 3); // offline for a moment: try again, less often
      });
  }

  window.setTimeout(poll, every);
})();
