// tools/openapi/swagger-ui-init.js: starts Swagger UI on the /docs page
// (docs.html). A file from this origin, not an inline script: the page's
// Content-Security-Policy (nginx/render.py, SWAGGER_UI_CSP) runs no other.
// Swagger UI gets its own copy of /openapi.json, changed in two ways that
// keep its meaning; the document stays as written for every other reader.
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");

  // The object a local reference ("#/components/parameters/query") names.
  function resolve(spec, value) {
    if (!value || typeof value.$ref !== "string" || value.$ref.indexOf("#/") !== 0) {
      return value;
    }
    return value.$ref.slice(2).split("/").reduce(function (object, key) {
      return object[key.replace(/~1/g, "/").replace(/~0/g, "~")];
    }, spec);
  }

  // A path's parameters (the query of /resolve/{query}) belong to each of
  // its operations, first, unless the operation has its own of the same
  // name and place. Swagger UI 5.36.0 merges a path's parameters that are
  // references without following them: the query's field would be missing
  // from "Try it out" (an empty row instead).
  function pathParametersIntoOperations(spec) {
    Object.keys(spec.paths || {}).forEach(function (path) {
      var item = spec.paths[path];
      var shared = (item.parameters || []).map(function (p) { return resolve(spec, p); });
      if (!shared.length) {
        return;
      }
      ["get", "put", "post", "delete", "options", "head", "patch", "trace"].forEach(function (method) {
        var operation = item[method];
        if (!operation) {
          return;
        }
        var own = (operation.parameters || []).map(function (p) { return resolve(spec, p); });
        operation.parameters = shared.filter(function (p) {
          return !own.some(function (o) { return o.name === p.name && o.in === p.in; });
        }).concat(operation.parameters || []);
      });
      delete item.parameters;
    });
  }

  // The document names its server https://{authority}, the authority
  // defaulting to localhost:8443 (`make run`). This page is served by a
  // Lume, so here the authority defaults to the page's own host: "Try it
  // out" asks the origin the page came from, the only one its policy lets
  // it reach (connect-src 'self').
  function serveFromHere(spec) {
    (spec.servers || []).forEach(function (server) {
      var authority = server.variables && server.variables.authority;
      if (authority) {
        authority.default = window.location.host;
      }
    });
  }

  fetch("/openapi.json", {headers: {Accept: "application/json"}})
    .then(function (response) {
      if (!response.ok) {
        throw new Error("/openapi.json answered " + response.status);
      }
      return response.json();
    })
    .then(function (spec) {
      pathParametersIntoOperations(spec);
      serveFromHere(spec);
      SwaggerUIBundle({
        spec: spec,
        domNode: root,
        // BaseLayout (the default): no top bar to load other documents.
        // No validator badge: it is an image from validator.swagger.io.
        validatorUrl: null,
        deepLinking: true,
        displayRequestDuration: true
      });
    })
    .catch(function (error) {
      root.textContent = "The API description could not be loaded: " + error.message;
    });
})();
