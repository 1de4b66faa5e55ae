// The bell in the top bar: the unread count of the signed-in user's
// notifications, live over /api/v1/notifications/socket (every replica
// rings it through PostgreSQL). It reconnects with backoff; without
// JavaScript the bell is a plain link to the notifications page.
(function () {
  "use strict";
  const bell = document.getElementById("bell");
  if (!bell || !window.WebSocket) return;
  const count = document.getElementById("bell-count");
  let delay = 1000;
  function show(n, label) {
    count.textContent = n > 99 ? "99+" : String(n);
    count.hidden = n === 0;
    bell.classList.toggle("bell-unread", n > 0);
    bell.dataset.unread = String(n);
    if (label) { bell.title = label; bell.setAttribute("aria-label", label); }
  }
  function connect() {
    const proto = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(proto + location.host + bell.dataset.socket);
    ws.onopen = function () { delay = 1000; };
    ws.onmessage = function (ev) {
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m.type === "unread") show(m.count, m.label);
    };
    ws.onclose = function () {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
