// Hotline stock availability where the agent works: the console card, the
// client page and the ticket page. Two parts, both over the JSON API and
// built with the DOM API (textContent), never from HTML strings:
//   - the client's products (open tickets, reservations, purchases) with
//     free quantity now and, when short, the earliest delivery date;
//   - a "check availability" box: product (SKU or name) + quantity -> free
//     per warehouse, the earliest date if short, and Reserve for the client
//     or the ticket.
// Pages mark a container with data-stock-box (data-client-id, optional
// data-ticket-id, data-csrf, data-readonly); the console calls
// HotlineStock.mount itself after a pop has rendered.
(function () {
  "use strict";

  const el = window.Hotline.el; // app.js

  function day(t) { return window.Hotline.date(t); }
  const T = window.Hotline.t;

  async function call(method, path, csrf, body) {
    const headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = csrf || "";
    const res = await fetch(path, { method: method, credentials: "same-origin", headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) {
      let msg = res.status + " " + res.statusText;
      try { const p = await res.json(); msg = p.detail || p.title || msg; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return res.json();
  }

  // answer says what an availability means for the quantity asked.
  function answer(a) {
    if (a.in_stock) return T("js.stock.in_stock", { Free: a.free_now, Qty: a.qty });
    return T(a.from_supplier ? "js.stock.only_supplier" : "js.stock.only", { Free: a.free_now, Qty: a.qty, From: day(a.available_at) });
  }

  function reasonText(r) {
    if (r.kind === "ticket") return T("js.stock.reason_ticket", { ID: r.ref_id });
    if (r.kind === "reservation") return T("js.stock.reason_reserved", { Qty: r.qty, Until: day(r.at) });
    return T("js.stock.reason_bought", { Qty: r.qty, At: day(r.at) });
  }

  // products lists the client's products with their availability.
  async function products(list, clientId, check) {
    list.textContent = "";
    list.appendChild(el("p", { cls: "muted small", text: T("js.stock.checking") }));
    let out;
    try { out = await call("GET", "/api/v1/clients/" + clientId + "/availability"); }
    catch (e) { list.textContent = ""; list.appendChild(el("p", { cls: "pop-error", text: T("js.stock.error", { Error: e.message }) })); return; }
    list.textContent = "";
    if (!out.products || out.products.length === 0) {
      list.appendChild(el("p", { cls: "muted", text: T("js.stock.no_products") }));
      return;
    }
    const ul = el("ul", { cls: "stock-products" });
    for (const p of out.products) {
      const li = el("li", { cls: "stock-item " + (p.in_stock ? "ok" : "warn"), "data-product-id": String(p.product_id) }, [
        el("span", { cls: "stock-name", text: p.sku + " " + p.name }),
        el("span", { cls: "stock-free", text: " — " + answer(p) }),
        el("span", { cls: "muted small", text: " " + (p.reasons || []).map(reasonText).join(", ") }),
      ]);
      if (check) {
        const b = el("button", { type: "button", cls: "btn btn-ghost small stock-pick", text: T("js.stock.check") });
        b.addEventListener("click", function () { check.pick(p); });
        li.appendChild(b);
      }
      ul.appendChild(li);
    }
    list.appendChild(ul);
  }

  // checker builds the check-availability box; onReserved runs after a
  // reservation so that the product list can refresh.
  function checker(box, opts, onReserved) {
    const q = el("input", { type: "search", cls: "stock-q", placeholder: T("js.stock.sku_or_name"), "aria-label": T("js.stock.sku_or_name"), autocomplete: "off" });
    const sel = el("select", { cls: "stock-product", "aria-label": T("js.stock.product") });
    // placeholder keeps the list from looking broken before a search (and
    // after one that finds nothing); its empty value makes Check ask for a product.
    function placeholder(text) {
      sel.textContent = "";
      sel.appendChild(el("option", { value: "", disabled: true, selected: true, text: text }));
    }
    placeholder(T("js.tickets.type_sku"));
    const qty = el("input", { type: "number", min: "1", value: "1", cls: "stock-qty short", "aria-label": T("js.stock.qty") });
    const go = el("button", { type: "button", cls: "btn stock-check", text: T("js.stock.check") });
    const result = el("div", { cls: "stock-result", "aria-live": "polite" });
    box.appendChild(el("div", { cls: "inline-form stock-form" }, [q, sel, qty, go]));
    box.appendChild(result);
    let timer = null, seq = 0;

    async function search() {
      const mine = ++seq;
      let out;
      try { out = await call("GET", "/api/v1/products?limit=20&q=" + encodeURIComponent(q.value.trim())); }
      catch (e) { return; }
      if (mine !== seq) return;
      const found = out.products || [];
      if (found.length === 0) { placeholder(T("js.tickets.no_match")); return; }
      sel.textContent = "";
      for (const p of found) sel.appendChild(el("option", { value: String(p.id), text: p.sku + " — " + p.name }));
    }
    q.addEventListener("focus", function () { q.select(); }); // typing replaces a picked SKU
    q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 200); });
    q.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); search().then(check); } });
    go.addEventListener("click", check);

    async function check() {
      const id = Number(sel.value), n = Number(qty.value);
      result.textContent = "";
      if (!id) { result.appendChild(el("p", { cls: "pop-error", text: T("js.stock.choose_product") })); return; }
      if (!(n >= 1)) { result.appendChild(el("p", { cls: "pop-error", text: T("js.stock.qty_min") })); return; }
      let a;
      try { a = await call("GET", "/api/v1/products/" + id + "/availability?qty=" + n); }
      catch (e) { result.appendChild(el("p", { cls: "pop-error", text: e.message })); return; }
      render(a);
    }

    function render(a) {
      result.textContent = "";
      result.appendChild(el("p", { cls: "stock-answer " + (a.in_stock ? "ok" : "warn"), text: a.sku + ": " + answer(a) }));
      const rows = (a.warehouses || []).map(function (w) {
        return el("tr", {}, [el("td", { text: w.warehouse }), el("td", { cls: "stock-wh-free", text: String(w.free) })]);
      });
      if (rows.length === 0) rows.push(el("tr", {}, [el("td", { colspan: "2", cls: "muted", text: T("js.stock.nothing") })]));
      result.appendChild(el("table", { cls: "list stock-warehouses" }, [
        el("thead", {}, [el("tr", {}, [el("th", { text: T("js.stock.warehouse") }), el("th", { text: T("js.stock.free") })])]),
        el("tbody", {}, rows),
      ]));
      if (opts.readOnly || !(a.free_now > 0)) return;
      const wh = el("select", { cls: "stock-warehouse", "aria-label": T("js.stock.reserve_from") });
      for (const w of a.warehouses || []) if (w.free > 0) wh.appendChild(el("option", { value: String(w.warehouse_id), text: w.warehouse + " (" + w.free + ")" }));
      const n = el("input", { type: "number", min: "1", max: String(a.free_now), value: String(Math.min(a.qty, a.free_now)), cls: "stock-reserve-qty short", "aria-label": T("js.stock.qty_reserve") });
      const hours = el("input", { type: "number", min: "1", max: "2160", value: "72", cls: "stock-hours short", "aria-label": T("js.stock.hold_hours") });
      const btn = el("button", { type: "button", cls: "btn btn-primary stock-reserve",
        text: opts.ticketId ? T("js.stock.reserve_ticket", { ID: opts.ticketId }) : T("js.stock.reserve_client") });
      const msg = el("p", { cls: "stock-msg", role: "status" });
      btn.addEventListener("click", async function () {
        btn.disabled = true;
        const body = { product_id: a.product_id, warehouse_id: Number(wh.value), qty: Number(n.value), ttl_hours: Number(hours.value) };
        if (opts.clientId) body.client_id = Number(opts.clientId);
        if (opts.ticketId) body.ticket_id = Number(opts.ticketId);
        try {
          const r = await call("POST", "/api/v1/reservations", opts.csrf, body);
          await check();
          result.appendChild(el("p", { cls: "stock-msg ok", role: "status",
            text: T("js.stock.reserved", { Qty: r.qty, Until: window.Hotline.dateTime(r.expires_at), ID: r.id }) }));
          if (onReserved) onReserved(r);
        } catch (e) { msg.textContent = T("js.stock.not_reserved", { Error: e.message }); msg.className = "stock-msg pop-error"; btn.disabled = false; }
      });
      result.appendChild(el("div", { cls: "inline-form stock-reserve-form" }, [
        document.createTextNode(T("js.stock.reserve") + " "), n, document.createTextNode(" " + T("js.stock.from") + " "), wh,
        document.createTextNode(" for "), hours, document.createTextNode(" h "), btn,
      ]));
      result.appendChild(msg);
    }

    return {
      pick: function (p) {
        sel.textContent = "";
        sel.appendChild(el("option", { value: String(p.product_id), text: p.sku + " — " + p.name }));
        q.value = p.sku;
        qty.value = String(p.qty);
        check();
      },
    };
  }

  // ticketReservations lists the active reservations held for a ticket.
  async function ticketReservations(list, ticketId) {
    let out;
    try { out = await call("GET", "/api/v1/reservations?active=true&ticket_id=" + ticketId); } catch (e) { return; }
    list.textContent = "";
    if (!out.reservations || out.reservations.length === 0) return;
    list.appendChild(el("h4", { text: T("js.stock.reserved_for_request") }));
    const ul = el("ul", { cls: "stock-ticket-reservations" });
    for (const r of out.reservations) {
      ul.appendChild(el("li", { text: T("js.stock.reservation_line", { ID: r.id, Qty: r.qty, Product: r.product_id, Until: day(r.expires_at) }) }));
    }
    list.appendChild(ul);
  }

  // mount fills box with the client's products (when a client is known)
  // and the check-availability box.
  function mount(box, opts) {
    box.textContent = "";
    const list = el("div", { cls: "stock-client-products" });
    const held = el("div", { cls: "stock-held" });
    const checkBox = el("div", { cls: "stock-check-box" });
    if (opts.clientId) box.appendChild(list);
    if (opts.ticketId) box.appendChild(held);
    box.appendChild(el("h4", { text: T("js.stock.check_availability") }));
    box.appendChild(checkBox);
    function refresh() {
      if (opts.clientId) products(list, opts.clientId, check);
      if (opts.ticketId) ticketReservations(held, opts.ticketId);
    }
    const check = checker(checkBox, opts, refresh);
    refresh();
  }

  window.HotlineStock = { mount: mount };
  for (const box of document.querySelectorAll("[data-stock-box]")) {
    mount(box, { clientId: box.dataset.clientId, ticketId: box.dataset.ticketId, csrf: box.dataset.csrf,
      readOnly: box.dataset.readonly === "true" });
  }
})();
