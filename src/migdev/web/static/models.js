// Models page: answer the scenario form from GET /api/v1/scenario without a reload.
// Numbers are written with the page's locale and its CLDR numbering system (data-nu, from Babel), so they read as
// the server-rendered figures do; labels come translated from the page (data-* attributes).
(function () {
  "use strict";
  var form = document.getElementById("scenario-form"), out = document.getElementById("scenario-result");
  if (!form || !out) return;
  var d = out.dataset, locale = d.lang + "-u-nu-" + (d.nu || "latn");
  var whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  var pct = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" });
  var signed = new Intl.NumberFormat(locale, { maximumFractionDigits: 0, signDisplay: "exceptZero" });
  var TOP = 10;

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }
  function show(body) {
    out.textContent = "";
    var total = body.rows[0], level = body.query.filters.level;
    out.appendChild(el("p", fill(d.total, {
      origin: total.origin_name, year: total.year, stock: whole.format(total.stock),
      scenario: whole.format(total.stock_scenario), change: pct.format(total.change_pct),
      level: pct.format(level).replace(/^\+/, ""), low: signed.format(total.change_low),
      high: signed.format(total.change_high)
    }), { id: "scenario-total" }));
    var table = el("table", null, { id: "scenario-table" });
    table.appendChild(el("caption", d.caption));
    var head = el("tr");
    [d.destination, d.stock, d.scenario, d.change, d.band].forEach(function (h) { head.appendChild(el("th", h, { scope: "col" })); });
    table.appendChild(el("thead")).appendChild(head);
    var tbody = table.appendChild(el("tbody"));
    body.rows.slice(1, TOP + 1).forEach(function (r) {
      var tr = tbody.appendChild(el("tr"));
      tr.appendChild(el("th", r.destination_name, { scope: "row" }));
      tr.appendChild(el("td", whole.format(r.stock)));
      tr.appendChild(el("td", whole.format(r.stock_scenario)));
      tr.appendChild(el("td", signed.format(r.change)));
      tr.appendChild(el("td", signed.format(r.change_low) + " – " + signed.format(r.change_high)));
    });
    out.appendChild(table);
    var notes = out.appendChild(el("ul", null, { "class": "note", lang: "en" }));
    body.notes.forEach(function (n) { notes.appendChild(el("li", n)); });
    out.appendChild(el("p", body.citation, { "class": "note" }));
  }
  function refuse(body) {
    out.textContent = "";
    out.appendChild(el("p", d.error + " " + (body.detail || ""), { "class": "error", id: "scenario-error" }));
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var params = new URLSearchParams(new FormData(form));
    out.setAttribute("aria-busy", "true");
    fetch("/api/v1/scenario?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) { if (res.ok) show(res.body); else refuse(res.body); })
      .catch(function (err) { refuse({ detail: String(err) }); })
      .finally(function () { out.removeAttribute("aria-busy"); });
  });
})();
