// Inside WeChat's browser: open WeChat's own payment sheet (WeixinJSBridge, getBrandWCPayRequest)
// with the parameters our server signed, and tell the page's poll (payment-poll.js) to look at
// once when WeChat says it is paid. Only our server's answer moves the visitor on: WeChat's "ok"
// here is not proof of payment.
(function () {
  "use strict";
  var button = document.getElementById("wechatpay-jsapi");
  var data = document.getElementById("wechatpay-jsapi-params");
  var note = document.getElementById("wechatpay-jsapi-note");
  if (!button || !data) {
    return;
  }
  var params = JSON.parse(data.textContent);

  function say(name) {
    note.textContent = note.getAttribute("data-" + name);
    note.hidden = false;
  }

  function pay() {
    if (typeof window.WeixinJSBridge === "undefined") {
      say("no-bridge");
      return;
    }
    button.disabled = true;
    window.WeixinJSBridge.invoke("getBrandWCPayRequest", params, function (result) {
      button.disabled = false;
      var outcome = (result && result.err_msg) || "";
      if (outcome === "get_brand_wcpay_request:ok") {
        say("paid");
        button.hidden = true;
        document.dispatchEvent(new Event("payment:check"));
      } else if (outcome === "get_brand_wcpay_request:cancel") {
        say("cancelled");
      } else {
        say("failed");
      }
    });
  }

  button.addEventListener("click", pay);
  if (typeof window.WeixinJSBridge === "undefined") {
    document.addEventListener("WeixinJSBridgeReady", pay, false);
  } else {
    pay();
  }
})();
