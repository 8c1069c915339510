// Home map: recolour the choropleth when the indicator or the year changes, without a reload.
// Plain JS; data from the page (first indicator) or /{lang}/data/map/{indicator}.json (same origin).
(function () {
  "use strict";
  var CLASSES = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"], MISSING = "#d4d4d4";
  var lang = document.documentElement.lang;
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var cache = {}; cache[data.indicator] = data;
  var select = document.getElementById("indicator"), slider = document.getElementById("year");
  var out = document.getElementById("year-out");

  function paint() {
    var year = data.years[+slider.value] || data.default_year, now = data.by_year[year] || {values: {}, legend: []};
    out.textContent = year; slider.setAttribute("aria-valuetext", year);
    document.querySelectorAll("#map a[data-iso3]").forEach(function (a) {
      var code = a.getAttribute("data-iso3"), v = now.values[code];
      var label = (data.names[code] || code) + ": " + (v ? v[1] : data.missing);
      var g = a.querySelector(".area");
      g.setAttribute("fill", v ? CLASSES[v[0]] : MISSING);
      a.setAttribute("aria-label", label);
      g.querySelector("title").textContent = label;
    });
    var items = document.querySelectorAll("#legend li .label");
    items.forEach(function (el, i) { el.textContent = now.legend[i] || ""; el.parentNode.hidden = !now.legend[i]; });
    document.querySelector("#map title").textContent = data.title + ", " + year;
    var cap = document.querySelector("#map-table caption");
    if (cap) cap.textContent = data.title + ", " + year;
    var body = document.querySelector("#map-table tbody");
    if (body) {
      body.querySelectorAll("tr").forEach(function (tr) {
        var href = tr.querySelector("a").getAttribute("href"), code = href.split("/").pop(), v = now.values[code];
        tr.querySelector("td").textContent = v ? v[1] : data.missing;
      });
    }
  }

  function show(d, keepYear) {
    var year = keepYear ? data.years[+slider.value] : null;
    data = d;
    slider.max = String(Math.max(d.years.length - 1, 0));
    var i = d.years.indexOf(year !== null && d.years.indexOf(year) >= 0 ? year : d.default_year);
    slider.value = String(i < 0 ? d.years.length - 1 : i);
    document.getElementById("map-sources").lastChild.textContent = " " + d.sources.map(function (s) {
      return s.source_id + " (" + s.revision + ")"; }).join(", ");
    paint();
  }

  select.addEventListener("change", function () {
    var key = select.value;
    if (cache[key]) { show(cache[key], true); return; }
    document.getElementById("map-figure").setAttribute("aria-busy", "true");
    fetch("/" + lang + "/data/map/" + encodeURIComponent(key) + ".json")
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (d) { cache[key] = d; show(d, true); })
      .finally(function () { document.getElementById("map-figure").removeAttribute("aria-busy"); });
    history.replaceState(null, "", "?indicator=" + encodeURIComponent(key));
  });
  slider.addEventListener("input", paint);
})();
