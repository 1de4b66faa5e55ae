// Suggests knowledge-base articles while an agent types a request's subject.
(function () {
  "use strict";
  var input = document.getElementById("ticket-subject");
  var list = document.getElementById("kb-suggestions");
  if (!input || !list) return;
  var timer = null, seq = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim(), mine = ++seq;
      if (q.length < 3) { list.textContent = ""; return; }
      fetch("/api/v1/kb/suggest?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
        .then(function (data) {
          if (mine !== seq) return;
          list.textContent = "";
          (data.hits || []).forEach(function (h) {
            var li = document.createElement("li");
            li.className = "suggestion";
            var a = document.createElement("a");
            a.href = "/kb?q=" + encodeURIComponent(h.article.title);
            a.target = "_blank";
            a.textContent = h.article.title;
            li.appendChild(a);
            list.appendChild(li);
          });
        })
        .catch(function () {});
    }, 250);
  });
})();

// The new-request form's product picker: the "other product" fields show
// (and are sent) only while "Other product" is chosen, and typing a SKU or
// name lists the matching products from the catalogue (the products API the
// availability box searches). Without JavaScript both fields stay visible
// and the server resolves the typed SKU or name.
(function () {
  "use strict";
  var pick = document.getElementById("ticket-product");
  var box = document.getElementById("ticket-other-product");
  var q = document.getElementById("ticket-product-q");
  var sel = document.getElementById("ticket-other-id");
  if (!pick || !box || !q || !sel) return;

  function option(value, text, placeholder) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    if (placeholder) { o.disabled = true; o.selected = true; }
    return o;
  }

  function toggle() {
    var other = pick.value === "other";
    box.hidden = !other;
    q.disabled = sel.disabled = !other;
  }
  pick.addEventListener("change", function () {
    toggle();
    if (pick.value === "other") q.focus();
  });
  toggle();

  var timer = null, seq = 0;
  function search() {
    var text = q.value.trim(), mine = ++seq;
    if (text === "") { sel.textContent = ""; sel.appendChild(option("", window.Hotline.t("js.tickets.type_sku"), true)); return; }
    fetch("/api/v1/products?limit=20&q=" + encodeURIComponent(text), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.statusText); return r.json(); })
      .then(function (out) {
        if (mine !== seq) return;
        var found = out.products || [];
        sel.textContent = "";
        if (found.length === 0) { sel.appendChild(option("", window.Hotline.t("js.tickets.no_match"), true)); return; }
        found.forEach(function (p) { sel.appendChild(option(String(p.id), p.sku + " — " + p.name)); });
      })
      .catch(function () {
        // No catalogue search here: the server finds the typed SKU or name.
        if (mine === seq) { sel.textContent = ""; sel.appendChild(option("", window.Hotline.t("js.tickets.as_typed"))); }
      });
  }
  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 200); });
  q.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); clearTimeout(timer); search(); } });
})();
