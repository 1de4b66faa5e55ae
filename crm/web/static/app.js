// Hotline pages: the helpers other scripts share (window.Hotline), nav
// menus that close, and search as you type. Everything works without
// JavaScript too.
(function () {
  "use strict";
  // el builds an element: attrs "text" sets its text (never HTML), "cls" its
  // class, others are attributes (true: present, false/null: absent).
  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "cls") e.className = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children || []) if (c) e.appendChild(c);
    return e;
  }
  window.Hotline = { el: el };
})();

(function () {
  "use strict";
  // Click-to-call buttons (client page): ring the agent's phone, then the
  // number. Without JavaScript they stay hidden.
  document.querySelectorAll("button[data-call-number]").forEach(function (b) {
    const status = b.nextElementSibling;
    b.hidden = false;
    b.addEventListener("click", async function () {
      b.disabled = true;
      status.textContent = "Calling…";
      try {
        const res = await fetch("/api/v1/calls", {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": b.dataset.csrf },
          body: JSON.stringify({ number: b.dataset.callNumber }),
        });
        if (!res.ok) {
          let msg = res.status + " " + res.statusText;
          try { const p = await res.json(); msg = p.detail || p.title || msg; } catch (e) { /* not JSON */ }
          throw new Error(msg);
        }
        status.textContent = "Your phone is ringing; the call goes out when you answer.";
      } catch (e) {
        status.textContent = "Call failed: " + e.message;
      }
      setTimeout(function () { b.disabled = false; }, 4000);
    });
  });
})();

(function () {
  "use strict";
  // A nav group (<details>) closes when another opens or on a click elsewhere.
  document.addEventListener("click", function (e) {
    document.querySelectorAll("details.nav-group[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
  });
})();

(function () {
  "use strict";
  const input = document.querySelector("input[data-live-search]");
  const results = document.getElementById("results");
  if (!input || !results) return;
  let timer = null;
  let seq = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const mine = ++seq;
      const q = input.value.trim();
      const url = input.dataset.liveSearch + "?partial=1&q=" + encodeURIComponent(q);
      try {
        const res = await fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } });
        if (!res.ok || mine !== seq) return;
        results.innerHTML = await res.text(); // server-rendered, HTML-escaped fragment
        history.replaceState(null, "", "/clients" + (q ? "?q=" + encodeURIComponent(q) : ""));
      } catch (e) { /* offline: the form still works */ }
    }, 200);
  });
})();
