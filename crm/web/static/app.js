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
