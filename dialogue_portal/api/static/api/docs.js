// Swagger UI for the API's schema; the page's only script besides the vendored bundle
// (no inline script, so the site's Content-Security-Policy holds here too).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    supportedSubmitMethods: ["get", "head"],
    tryItOutEnabled: false,
  });
})();
