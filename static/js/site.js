// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function announce(target, text) {
    var status = target.closest("section") && target.closest("section").querySelector(".copy-status");
    if (status) { status.textContent = text; }
  }

  function copyText(text, button) {
    var done = function () { announce(button, button.dataset.copied || "Copied."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(area);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print], [data-copy], [data-copy-url], [data-web-share]");
    if (!button) { return; }
    if (button.hasAttribute("data-print")) {
      window.print();
    } else if (button.hasAttribute("data-copy")) {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (source) { copyText(source.textContent.trim(), button); }
    } else if (button.hasAttribute("data-copy-url")) {
      copyText(button.getAttribute("data-copy-url"), button);
    } else if (button.hasAttribute("data-web-share") && navigator.share) {
      navigator.share({ title: button.dataset.title, url: button.dataset.url }).catch(function () {});
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (navigator.share) {
      document.querySelectorAll("[data-web-share]").forEach(function (el) { el.hidden = false; });
    }
  });

  // The proof-of-work check (vendored ALTCHA), loaded only when a busy poll's form asks for
  // it: its script, style and SHA-256 worker all come from this site (CSP: 'self', no inline
  // code, no blob: workers).
  var altchaRequested = false;
  function loadAltcha() {
    var widget = document.querySelector("altcha-widget[data-script]");
    if (!widget || altchaRequested) { return; }
    altchaRequested = true;
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = widget.dataset.style;
    document.head.appendChild(style);
    var script = document.createElement("script");
    script.type = "module";
    script.src = widget.dataset.script;
    script.addEventListener("load", function () {
      var worker = widget.dataset.worker;
      window.$altcha.algorithms.set("SHA-256", function () { return new Worker(worker); });
      if (widget.dataset.i18n) {
        var words = document.createElement("script");
        words.type = "module";
        words.src = widget.dataset.i18n;
        document.head.appendChild(words);
      }
    });
    document.head.appendChild(script);
  }
  document.addEventListener("DOMContentLoaded", loadAltcha);
  document.addEventListener("htmx:afterSettle", loadAltcha);

  // Filters submit themselves through htmx; the Apply button stays for keyboard users.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "results") {
      var count = document.getElementById("results-count");
      if (count) { count.setAttribute("tabindex", "-1"); }
    }
  });
})();
