// Hotline agent console: live call cards over the console WebSocket.
// Every pop arrives whole with a growing seq; older copies are ignored, so
// replays after a reconnect are harmless. Cards are built with the DOM API
// (textContent), never from HTML strings.
(function () {
  "use strict";
  const root = document.getElementById("console");
  if (!root) return;
  const agent = root.dataset.agent;
  const self = root.dataset.self;
  const readOnly = root.dataset.readonly === "true";
  const csrf = root.dataset.csrf;
  const list = document.getElementById("pops");
  const empty = document.getElementById("no-pops");
  const status = document.getElementById("console-status");
  const pops = new Map(); // call_id -> {pop, el}
  // A shift's worth of calls: live cards stay whole; of the ended ones the
  // newest stays whole, the next few shrink to their head line (a click
  // opens one again) and older ones leave the page for "today's calls".
  const KEEP_ENDED = 3;
  const collapsed = new Set(); // call ids moved to "today's calls"
  let backoff = 500;

  function setStatus(text, cls) {
    status.textContent = text;
    status.className = "console-status " + (cls || "");
  }

  const el = window.Hotline.el; // app.js
  const T = window.Hotline.t, V = window.Hotline.tv, H = window.Hotline;

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    const h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    const mm = String(m).padStart(2, "0"), ss = String(s).padStart(2, "0");
    return h > 0 ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  function idFor(callId) { return "pop-" + callId.replace(/[^A-Za-z0-9_-]/g, "_"); }

  async function post(path, body) {
    const res = await fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) {
      let msg = res.status + " " + res.statusText;
      try { const p = await res.json(); msg = p.detail || p.title || msg; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return res.status === 204 ? null : res.json();
  }

  function callButton(number) {
    if (readOnly || !number) return null;
    const b = el("button", { type: "button", cls: "btn btn-ghost small pop-call", text: T("js.console.call_back") });
    b.addEventListener("click", async function () {
      b.disabled = true;
      try { await post("/api/v1/calls", { number: number }); b.textContent = T("js.call.calling"); }
      catch (e) { b.textContent = T("js.call.failed", { Error: e.message }); }
      setTimeout(function () { b.disabled = false; b.textContent = T("js.console.call_back"); }, 4000);
    });
    return b;
  }

  function section(title, items, render, missingModule) {
    const s = el("div", { cls: "pop-section" }, [el("h4", { text: title })]);
    if (missingModule) { s.appendChild(el("p", { cls: "muted", text: missingModule })); return s; }
    if (!items || items.length === 0) { s.appendChild(el("p", { cls: "muted", text: T("js.console.none") })); return s; }
    const ul = el("ul");
    for (const it of items) ul.appendChild(el("li", { text: render(it) }));
    s.appendChild(ul);
    return s;
  }

  function day(t) { return H.date(t); }

  // supportLine says whether a purchased product's support is active (and
  // the priority its requests get) or expired.
  function supportLine(p) {
    const a = { Name: p.name, Support: p.support, Until: day(p.support_until), Priority: V("js.priority", p.support_priority) };
    if (!p.support_until) return T("js.console.support", a);
    if (!p.support_active) return T("js.console.support_expired", a);
    return T(p.support_priority ? "js.console.support_active_priority" : "js.console.support_active", a);
  }

  function clientBlock(c, card, pop, several) {
    const prio = c.priority || {};
    const head = el("div", {}, [
      several ? el("label", {}, [
        el("input", { type: "radio", name: "client-" + pop.call_id, value: String(c.id), cls: "pop-choose" }),
        document.createTextNode(" " + T("js.console.this_one")),
      ]) : null,
      el("a", { href: c.url, cls: "pop-client-name", text: c.name, target: "_blank" }),
      c.company ? el("span", { cls: "muted", text: " · " + c.company }) : null,
      el("div", { cls: "small muted pop-owner", text: c.owner_name ? T("js.console.owner", { Name: c.owner_name }) : T("js.console.no_owner") }),
      readOnly ? null : el("a", {
        href: "/tickets/new?client=" + c.id + "&call=" + encodeURIComponent(pop.call_id),
        cls: "btn btn-ghost pop-new-request", text: T("js.console.new_request"), target: "_blank",
      }),
    ]);
    const badge = el("span", {
      cls: "prio prio-" + String(prio.code || "none").toLowerCase() + " pop-priority",
      title: prio.name || T("js.console.no_priority"), text: prio.code || "—",
    });
    const m = card.modules || {};
    return el("div", { cls: "pop-client", "data-client-id": String(c.id) }, [
      badge, head,
      section(T("js.console.open_tickets"), c.tickets, function (t) {
        const a = { ID: t.id, Title: t.title, Status: V("js.status", t.status), Due: H.dateTime(t.due) };
        return T(t.due ? "js.console.ticket_due" : "js.console.ticket", a);
      }, m.tickets ? "" : T("js.console.no_tickets_module")),
      section(T("js.console.last_interactions"), c.recent, function (i) {
        return T("js.console.interaction", { Day: day(i.at), Kind: V("js.event", i.kind), Summary: i.summary });
      }),
      section(T("js.console.products"), c.products, supportLine, m.products ? "" : T("js.console.no_products_module")),
      section(T("js.console.last_surveys"), c.surveys, function (s) {
        return T("js.console.survey", { Day: day(s.at), Survey: s.survey, Score: s.score, Max: s.max });
      }, m.surveys ? "" : T("js.console.no_surveys")),
      m.products ? stockSection(c) : null,
    ]);
  }

  // stockSection shows the availability of the client's products and a
  // check-and-reserve box. It is filled by separate API calls after the
  // card is on screen, so the pop itself never waits for stock queries.
  function stockSection(c) {
    if (!window.HotlineStock) return null;
    const box = el("div", { cls: "pop-section pop-stock" }, [el("h4", { text: T("js.console.stock") })]);
    const inner = el("div", {});
    box.appendChild(inner);
    setTimeout(function () { window.HotlineStock.mount(inner, { clientId: c.id, csrf: csrf, readOnly: readOnly }); }, 0);
    return box;
  }

  function unknownCaller(card, pop) {
    const box = el("div", { cls: "pop-unknown" }, [el("p", { text: T("js.console.unknown_caller") })]);
    if (card.error) box.appendChild(el("p", { cls: "pop-error", text: card.error }));
    if (readOnly) return box;
    const phone = card.caller_e164 || card.caller;
    const form = el("form", { method: "post", action: "/clients", target: "_blank", cls: "inline-form pop-create" }, [
      el("input", { type: "hidden", name: "csrf_token", value: csrf }),
      el("input", { type: "hidden", name: "kind", value: "person" }),
      el("label", {}, [document.createTextNode(T("js.console.name") + " "),
        el("input", { name: "name", required: true, maxlength: "300", value: card.caller_name || "", cls: "pop-create-name" })]),
      el("label", {}, [document.createTextNode(T("js.console.phone") + " "), el("input", { name: "phone", value: phone, cls: "pop-create-phone" })]),
      el("button", { type: "submit", cls: "btn btn-primary", text: T("js.console.create_client") }),
    ]);
    box.appendChild(form);
    const again = el("button", { type: "button", cls: "btn btn-ghost pop-refresh", text: T("js.console.refresh_card") });
    again.addEventListener("click", async function () {
      try { apply(await post("/api/v1/console/pops/" + encodeURIComponent(pop.call_id) + "/refresh")); }
      catch (e) { again.textContent = T("js.console.refresh_failed", { Error: e.message }); }
    });
    box.appendChild(again);
    return box;
  }

  function renderClients(pop) {
    const card = pop.card || { clients: [] };
    const box = el("div", { cls: "pop-clients" });
    const clients = card.clients || [];
    if (clients.length === 0) { box.appendChild(unknownCaller(card, pop)); return box; }
    if (clients.length > 1) box.appendChild(el("p", { text: H.n("js.console.several_clients", clients.length) }));
    for (const c of clients) box.appendChild(clientBlock(c, card, pop, clients.length > 1));
    if (card.error) box.appendChild(el("p", { cls: "pop-error", text: card.error }));
    return box;
  }

  function renderHead(entry) {
    const pop = entry.pop, card = pop.card || {};
    const number = card.caller_e164 ? H.phone(card.caller_e164) : (card.caller || T("js.console.unknown_number"));
    const head = el("div", { cls: "pop-head" }, [
      el("span", { cls: "pop-state", text: V("js.pop", pop.state) }),
      el("span", { cls: "pop-number mono", text: number }),
      card.caller && card.caller !== number ? el("span", { cls: "muted small", text: T("js.console.as_received", { Number: card.caller }) }) : null,
      card.dialled ? el("span", { cls: "muted small", text: T("js.console.dialled", { Number: card.dialled }) }) : null,
      card.caller_name ? el("span", { text: card.caller_name }) : null,
      pop.transfer ? el("span", { cls: "pop-note", text: pop.from_agent ? T("js.console.transferred_from", { Agent: pop.from_agent }) : T("js.console.transferred") }) : null,
      pop.click_to_call ? el("span", { cls: "pop-note", text: T("js.console.outgoing") }) : null,
      pop.failure_text ? el("span", { cls: "pop-failure", role: "alert", text: pop.failure_text }) : null,
      el("span", { cls: "pop-timer", "aria-label": T("js.console.timer") }),
      callButton(card.caller_e164),
      readOnly ? null : closeButton(pop),
    ]);
    entry.timer = head.querySelector(".pop-timer");
    return head;
  }

  function closeButton(pop) {
    const b = el("button", { type: "button", cls: "btn btn-ghost pop-close", text: T("js.console.close"), "aria-label": T("js.console.close_card") });
    b.addEventListener("click", async function () {
      try { await post("/api/v1/console/pops/" + encodeURIComponent(pop.call_id) + "/close"); remove(pop.call_id); }
      catch (e) { b.textContent = T("js.console.close_failed", { Error: e.message }); }
    });
    return b;
  }

  function renderWrap(entry) {
    const pop = entry.pop;
    const box = el("div", { cls: "pop-wrap" });
    const clients = (pop.card && pop.card.clients) || [];
    if (pop.wrap_up) {
      box.appendChild(el("p", { cls: "pop-saved", text: T("js.console.wrap_saved", { Note: pop.wrap_up.note }) }));
      return box;
    }
    if (readOnly || (pop.state !== "ended" && pop.state !== "missed")) return box;
    if (clients.length === 0) {
      box.appendChild(el("p", { cls: "muted", text: T("js.console.wrap_needs_client") }));
      return box;
    }
    const note = el("textarea", { name: "note", required: true, maxlength: "10000", cls: "pop-wrap-note", "aria-label": T("js.console.wrap_note") });
    const msg = el("span", { cls: "pop-error", role: "alert" });
    const form = el("form", { cls: "pop-wrap-form" }, [
      el("label", { text: T("js.console.wrap_note") }), note,
      el("div", {}, [el("button", { type: "submit", cls: "btn btn-primary pop-wrap-save", text: T("js.console.save_note") }), msg]),
    ]);
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      let clientId = clients[0].id;
      if (clients.length > 1) {
        const chosen = entry.el.querySelector(".pop-choose:checked");
        if (!chosen) { msg.textContent = T("js.console.choose_client"); return; }
        clientId = Number(chosen.value);
      }
      try {
        const saved = await post("/api/v1/console/pops/" + encodeURIComponent(pop.call_id) + "/wrap-up",
          { client_id: clientId, note: note.value });
        apply(saved);
      } catch (e) { msg.textContent = e.message; }
    });
    box.appendChild(form);
    return box;
  }

  function tick() {
    const now = Date.now();
    for (const entry of pops.values()) {
      const p = entry.pop;
      if (!entry.timer) continue;
      if (p.state === "answered") entry.timer.textContent = clock((now - Date.parse(p.answered_at)) / 1000);
      else if (p.state === "ringing") entry.timer.textContent = T("js.console.ringing_for", { Time: clock((now - Date.parse(p.ringing_at)) / 1000) });
      else if (p.state === "ended") entry.timer.textContent = T("js.console.talk_time", { Time: clock(p.talk_seconds || 0) });
      else entry.timer.textContent = "";
    }
  }

  function remove(callId) {
    const entry = pops.get(callId);
    if (entry) { entry.el.remove(); pops.delete(callId); }
    empty.hidden = pops.size > 0;
  }

  function isDone(pop) { return pop.state === "ended" || pop.state === "missed"; }

  function tidy() {
    const done = [];
    for (const e of pops.values()) if (isDone(e.pop)) done.push(e);
    const at = function (e) { return Date.parse(e.pop.ended_at || e.pop.answered_at || e.pop.ringing_at || 0) || 0; };
    done.sort(function (a, b) { return at(b) - at(a); });
    done.forEach(function (e, i) {
      if (i >= KEEP_ENDED) { collapsed.add(e.pop.call_id); remove(e.pop.call_id); return; }
      e.el.classList.toggle("compact", i > 0 && !e.open);
    });
  }

  function apply(pop) {
    if (!pop || !pop.call_id) return;
    const cur = pops.get(pop.call_id);
    if (cur && cur.pop.seq >= pop.seq) return;
    if (!cur && collapsed.has(pop.call_id) && (isDone(pop) || pop.state === "taken" || pop.state === "closed")) return;
    if (pop.state === "taken" || pop.state === "closed") { remove(pop.call_id); return; }
    if (!pop.card && cur) pop.card = cur.pop.card;
    let entry = cur;
    if (!entry) {
      entry = { pop: pop, el: el("article", { cls: "card popcard", id: idFor(pop.call_id), "data-call-id": pop.call_id }) };
      const opened = entry;
      entry.el.addEventListener("click", function (ev) {
        if (!isDone(opened.pop) || opened.open || ev.target.closest("button, a, input, textarea, select, label")) return;
        opened.open = true;
        opened.el.classList.add("open");
        opened.el.classList.remove("compact");
      });
      collapsed.delete(pop.call_id);
      entry.clients = renderClients(pop);
      pops.set(pop.call_id, entry);
      list.prepend(entry.el);
    }
    const rebuilt = cur && pop.card && cur.pop.card && cur.pop.card.built_at !== pop.card.built_at;
    if (rebuilt) {
      const fresh = renderClients(pop);
      entry.clients.replaceWith(fresh);
      entry.clients = fresh;
    }
    const stateChanged = !cur || rebuilt || cur.pop.state !== pop.state || !!cur.pop.wrap_up !== !!pop.wrap_up;
    entry.pop = pop;
    entry.el.dataset.state = pop.state;
    const head = renderHead(entry);
    if (entry.head) entry.head.replaceWith(head); else entry.el.appendChild(head);
    entry.head = head;
    if (!entry.clients.parentNode) entry.el.appendChild(entry.clients);
    if (stateChanged) {
      const wrap = renderWrap(entry);
      if (entry.wrap) entry.wrap.replaceWith(wrap); else entry.el.appendChild(wrap);
      entry.wrap = wrap;
    }
    empty.hidden = true;
    if (stateChanged && (pop.state === "ended" || pop.state === "missed") && today) setTimeout(loadToday, 1500);
    if (stateChanged && (pop.state === "answered" || pop.state === "ended") && mine) loadMyStatus(); // wrap-up begins or ends
    tidy();
    tick();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const q = agent && agent !== self ? "?agent=" + encodeURIComponent(agent) : "";
    const ws = new WebSocket(scheme + location.host + root.dataset.socket + q);
    ws.onopen = function () { backoff = 500; setStatus(readOnly ? T("js.console.watching") : T("js.console.connected"), "ok"); };
    ws.onmessage = function (ev) {
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m.type === "pop") apply(m);
      else if (m.type === "dropped") setStatus(T("js.console.reconnecting_because", { Reason: m.reason }), "down");
    };
    ws.onclose = function () {
      setStatus(T("js.console.reconnecting"), "down");
      const wait = Math.min(backoff, 15000) * (0.5 + Math.random());
      backoff = Math.min(backoff * 2, 15000);
      setTimeout(connect, wait);
    };
  }

  // Client search as you type, in the console (the form works without JS).
  const q = document.getElementById("console-q");
  const results = document.getElementById("console-results");
  let searchTimer = null, searchSeq = 0;
  if (q && results) {
    q.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(async function () {
        const mine = ++searchSeq;
        const text = q.value.trim();
        if (!text) { results.textContent = ""; return; }
        try {
          const res = await fetch("/clients?partial=1&q=" + encodeURIComponent(text),
            { credentials: "same-origin", headers: { "Accept": "text/html" } });
          if (res.ok && mine === searchSeq) results.innerHTML = await res.text(); // server-rendered, escaped
        } catch (e) { /* offline: the form still works */ }
      }, 200);
    });
  }

  // Agent status: mine (available / paused / wrap-up) and, for supervisors, everyone's.
  function statusName(s) { return V("js.agent_status", s); }
  const mine = document.getElementById("my-status");
  // Wrap-up ends by itself at st.until (the server's setting) or with "Ready".
  const wrapBox = document.getElementById("wrap-left"), ready = document.getElementById("status-ready");
  let wrapUntil = 0;
  function showWrap() {
    if (!wrapBox) return;
    const left = wrapUntil ? Math.ceil((wrapUntil - Date.now()) / 1000) : 0;
    wrapBox.hidden = ready.hidden = left <= 0;
    document.getElementById("status-available").hidden = left > 0; // "Ready" says it
    if (left > 0) document.getElementById("wrap-left-time").textContent = clock(left);
    else if (wrapUntil) { wrapUntil = 0; loadMyStatus(); }
  }
  if (wrapBox) setInterval(showWrap, 1000);
  async function loadMyStatus() {
    try {
      const res = await fetch("/api/v1/console/status", { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (!res.ok) return;
      const st = await res.json();
      mine.hidden = false;
      document.getElementById("my-status-value").textContent = statusName(st.status);
      wrapUntil = st.status === "wrap_up" && st.until ? Date.parse(st.until) : 0;
      showWrap();
    } catch (e) { /* try again later */ }
  }
  if (mine) {
    for (const b of mine.querySelectorAll("button[data-status]")) {
      b.addEventListener("click", async function () {
        try {
          const res = await fetch("/api/v1/console/status", {
            method: "PUT", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
            body: JSON.stringify({ status: b.dataset.status }),
          });
          if (res.ok) loadMyStatus();
        } catch (e) { /* offline */ }
      });
    }
    loadMyStatus();
    setInterval(loadMyStatus, 5000);
  }
  const board = document.getElementById("agent-statuses");
  async function loadBoard() {
    try {
      const res = await fetch("/api/v1/console/agents", { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (!res.ok) return;
      const out = await res.json();
      const rows = document.getElementById("agent-status-rows");
      rows.textContent = "";
      for (const a of out.agents) {
        rows.appendChild(el("tr", {}, [
          el("td", {}, [el("a", { href: "/console?agent=" + encodeURIComponent(a.agent), text: a.agent })]),
          el("td", { text: statusName(a.status), cls: "agent-status-" + a.status }),
          el("td", { text: H.time(a.since) }),
        ]));
      }
      board.hidden = false;
    } catch (e) { /* try again later */ }
  }
  if (board) { loadBoard(); setInterval(loadBoard, 5000); }

  // Today's calls with durations (refreshed when a call ends and every minute).
  const today = document.getElementById("today-calls");
  async function loadToday() {
    try {
      const q = agent && agent !== self ? "?agent=" + encodeURIComponent(agent) : "";
      const res = await fetch("/api/v1/console/calls" + q, { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (!res.ok) return;
      const out = await res.json();
      const rows = document.getElementById("today-rows");
      rows.textContent = "";
      for (const c of out.calls) {
        rows.appendChild(el("tr", {}, [
          el("td", {}, [today.dataset.callLog && c.linkedid
            ? el("a", { cls: "call-link", href: "/calls/linked/" + encodeURIComponent(c.linkedid), text: H.time(c.started_at) })
            : document.createTextNode(H.time(c.started_at))]),
          el("td", { cls: "mono" }, [document.createTextNode(c.customer ? H.phone(c.customer) : "—"), callButton(c.customer)]),
          el("td", { text: V("js.direction", c.direction) }),
          el("td", { text: c.outcome ? V("js.outcome", c.outcome) : T("js.console.in_progress") }),
          el("td", { text: clock(c.talk_seconds || 0) }),
        ]));
      }
      today.hidden = false;
    } catch (e) { /* try again later */ }
  }
  if (today) { loadToday(); setInterval(loadToday, 60000); }

  setInterval(tick, 1000);
  connect();
})();
