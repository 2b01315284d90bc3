// Starts Swagger UI on /docs with the server's own document. A file of its own rather than an
// inline script, so the page's Content-Security-Policy can forbid inline scripts.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // The default validator is a third-party web service: never call out.
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    displayOperationId: true,
    displayRequestDuration: true,
  });
});
