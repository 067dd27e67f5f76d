/*
 * The Stripe step of checkout: mounts the Payment Element in <form id="stripe-payment-form">.
 *
 * Stripe.js is loaded from the address in data-stripe-js (the STRIPE_JS_URL setting; Stripe
 * requires it be loaded from their servers, never copied). The keys come from data attributes:
 * no inline script (the CSP forbids it). After confirmPayment Stripe sends the visitor to
 * data-return-url (the order page); the order is marked paid by the webhook, not by this page.
 */
(function () {
  "use strict";

  var form = document.getElementById("stripe-payment-form");
  if (!form) {
    return;
  }
  var message = document.getElementById("stripe-payment-message");
  var button = form.querySelector("button[type=submit]");

  function showError(text) {
    message.textContent = text;
    message.hidden = false;
  }

  function loadStripeJs(url, done) {
    if (window.Stripe) {
      done();
      return;
    }
    var script = document.createElement("script");
    script.src = url;
    script.onload = done;
    script.onerror = function () {
      showError(form.dataset.errorLoading);
    };
    document.head.appendChild(script);
  }

  loadStripeJs(form.dataset.stripeJs, function () {
    if (!window.Stripe) {
      showError(form.dataset.errorLoading);
      return;
    }
    var lang = (form.dataset.locale || "zh").toLowerCase();
    var stripe = window.Stripe(form.dataset.publishableKey, { locale: lang.indexOf("zh") === 0 ? "zh" : "en" });
    var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
    var container = document.getElementById("stripe-payment-element");
    container.textContent = "";
    var paymentElement = elements.create("payment");
    paymentElement.mount(container);
    paymentElement.on("ready", function () {
      button.disabled = false;
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      message.hidden = true;
      stripe
        .confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
        .then(function (result) {
          // Only reached on an immediate error; success leaves the page for return_url.
          if (result.error) {
            showError(result.error.message);
            button.disabled = false;
          }
        });
    });
  });
})();
