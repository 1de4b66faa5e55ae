// Hotline wallboard: keeps the page live from /api/v1/wallboard/socket.
// Every frame is the whole state; the DOM is rebuilt with textContent only.
(function () {
  "use strict";
  const board = document.getElementById("wallboard");
  if (!board) return;
  const status = document.getElementById("wb-status");
  const T = window.Hotline.t, V = window.Hotline.tv;

  function clock(sec) {
    let s = Math.max(0, Math.round(sec || 0));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    s = s % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h > 0 ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
  }
  function set(id, text) {
    const el = document.getElementById(id);
    if (el) el.textContent = text;
  }
  function since(at, iso) { return (Date.parse(at) - Date.parse(iso)) / 1000; }
  function callText(call, at) {
    if (!call) return "";
    const who = call.customer ? window.Hotline.phone(call.customer) : V("js.direction", call.direction);
    return who + " · " + clock(since(at, call.answered_at || call.started_at));
  }
  function cell(text, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text;
    return td;
  }
  // agentCell shows the display name, the login as a tooltip and, when it
  // differs from the name, as secondary text.
  function agentCell(login, name) {
    const td = cell(name || login, "wb-agent");
    td.title = login;
    if (name && name !== login) {
      const small = document.createElement("span");
      small.className = "wb-login";
      small.textContent = login;
      td.append(" ", small);
    }
    return td;
  }
  function render(st) {
    const active = st.active || {};
    set("wb-waiting", String(st.waiting.length));
    set("wb-longest", clock(st.longest_wait_seconds));
    set("wb-active-in", String(active.inbound || 0));
    set("wb-active-out", String(active.outbound || 0));
    set("wb-active-internal", String(active.internal || 0));
    set("wb-calls", String(st.today.calls));
    set("wb-answered", String(st.today.answered));
    set("wb-missed", String(st.today.missed));
    set("wb-avg-talk", clock(st.today.avg_talk_seconds));
    set("wb-csat", st.csat == null ? "—" : Math.round(st.csat) + "%");
    const tbody = document.querySelector("#wb-agents tbody");
    const rows = st.agents.map(function (a) {
      const tr = document.createElement("tr");
      tr.dataset.agent = a.login;
      tr.appendChild(agentCell(a.login, (st.names || {})[a.login]));
      const td = document.createElement("td");
      const badge = document.createElement("span");
      badge.className = "wb-state wb-" + a.state;
      badge.dataset.state = a.state;
      badge.textContent = V("js.wb_state", a.state);
      td.appendChild(badge);
      tr.appendChild(td);
      tr.appendChild(cell(clock(since(st.at, a.since)), "mono"));
      tr.appendChild(cell(callText(a.call, st.at)));
      return tr;
    });
    if (rows.length) tbody.replaceChildren.apply(tbody, rows);
  }

  let delay = 500;
  function connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(proto + "//" + location.host + board.dataset.socket);
    ws.onopen = function () { delay = 500; status.textContent = T("js.wb.live"); status.dataset.state = "live"; };
    ws.onmessage = function (ev) {
      try { render(JSON.parse(ev.data)); } catch (e) { /* a bad frame: wait for the next */ }
    };
    ws.onclose = function () {
      status.textContent = T("js.wb.reconnecting");
      status.dataset.state = "reconnecting";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }
  connect();
})();
