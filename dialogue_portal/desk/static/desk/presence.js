// Who else has this change form open: a heartbeat every 30 seconds (a POST with the form's
// CSRF token) keeps this editor listed and brings back the others. The page works without
// it: the server wrote who had the form open when the page was made.
(function () {
  "use strict";
  var box = document.getElementById("desk-presence");
  if (!box || !window.fetch || !window.FormData) { return; }
  var url = box.getAttribute("data-presence-url");
  var form = box.closest("form");
  var token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  if (!url || !token) { return; }

  function body(leaving) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token.value);
    if (leaving) { data.append("leave", "1"); }
    return data;
  }

  function beat() {
    fetch(url, {
      method: "POST",
      body: body(false),
      credentials: "same-origin",
      headers: { "X-CSRFToken": token.value },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && box.textContent !== data.text) { box.textContent = data.text; } })
      .catch(function () { /* the next heartbeat tries again */ });
  }

  beat();
  window.setInterval(beat, 30000);
  window.addEventListener("pagehide", function () {
    if (navigator.sendBeacon) { navigator.sendBeacon(url, body(true)); }
  });
})();
