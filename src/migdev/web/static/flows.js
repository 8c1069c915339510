// Flows page: swap the chord diagram, Sankey and table when a control changes, without a reload.
// The form still works without JS (GET /{lang}/flows?...); with JS the same query fetches /{lang}/data/flows.
(function () {
  "use strict";
  var form = document.getElementById("flow-controls"), view = document.getElementById("flow-view");
  var lang = document.documentElement.lang;

  function update() {
    var params = new URLSearchParams(new FormData(form));
    if (!params.get("region")) params.delete("region");
    view.setAttribute("aria-busy", "true");
    return fetch("/" + lang + "/data/flows?" + params.toString())
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        view.innerHTML = html;
        history.replaceState(null, "", "?" + params.toString());
      })
      .finally(function () { view.removeAttribute("aria-busy"); });
  }
  form.querySelectorAll("select").forEach(function (s) { s.addEventListener("change", update); });
  form.addEventListener("submit", function (e) { e.preventDefault(); update(); });
})();
