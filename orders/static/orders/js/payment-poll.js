// Pages that wait on an online payment (WeChat Pay's QR code and JSAPI pages, the order's page
// after Alipay, Stripe or WeChat's H5 page): ask our server for the order's state every few
// seconds, less often as time goes by, and go to the order once the payment has been received
// (or the order has moved on). Without JavaScript the page's <noscript> refresh does the same.
(function () {
  "use strict";
  var status = document.querySelector("[data-status-url]");
  if (!status || !window.fetch) {
    return;
  }
  var url = status.getAttribute("data-status-url");
  var first = (parseInt(status.getAttribute("data-poll-seconds"), 10) || 3) * 1000;
  var every = first;
  var stopAt = Date.now() + 2 * 60 * 60 * 1000; // a WeChat code or prepay id lasts two hours
  var timer = null;

  function later(wait) {
    window.clearTimeout(timer);
    if (Date.now() < stopAt) {
      timer = window.setTimeout(poll, wait);
    }
  }

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
        every = Math.min(every * 1.2, 30000); // a visitor who left the tab open costs little
        later(every);
      })
      .catch(function () {
        later(every * 3); // offline for a moment: try again, less often
      });
  }

  // Someone knows the payment just went through (WeChat's payment sheet said so): ask now.
  document.addEventListener("payment:check", function () {
    every = first;
    later(0);
  });
  later(every);
})();
