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
  // The page's language, the centre's zone and the texts scripts show, from
  // the layout (id hotline-i18n). Dates and times are shown in the centre's
  // zone in the page's language, never in the browser's locale.
  let cat = { lang: "en", zone: "UTC", t: {} };
  try { cat = JSON.parse(document.getElementById("hotline-i18n").textContent); } catch (e) { /* no catalogue: keys show */ }
  const locale = cat.lang === "ru" ? "ru-RU" : "en-GB";
  function fill(s, args) {
    return s.replace(/\{\{\s*\.(\w+)\s*\}\}/g, function (m, k) { return args && k in args ? String(args[k]) : m; });
  }
  // t returns the text of key filled with args ({{.Name}} placeholders).
  function t(key, args) {
    const f = cat.t[key];
    return f ? fill(f.other, args) : key;
  }
  // tv says a value of a fixed vocabulary (a status, a kind): the text of
  // prefix.value, or the value itself if the catalogue does not know it.
  function tv(prefix, v) {
    const f = cat.t[prefix + "." + v];
    return f ? f.other : (v === undefined || v === null ? "" : String(v));
  }
  // n returns the plural text of key for count (CLDR rules of the language).
  function n(key, count, args) {
    const f = cat.t[key];
    if (!f) return key;
    const form = new Intl.PluralRules(locale).select(count);
    return fill(f[form] || f.other, Object.assign({ Count: count }, args || {}));
  }
  function parts(v, opts) {
    const d = v instanceof Date ? v : new Date(v);
    if (isNaN(d)) return null;
    const out = {};
    for (const p of new Intl.DateTimeFormat(locale, Object.assign({ timeZone: cat.zone, hourCycle: "h23" }, opts)).formatToParts(d)) out[p.type] = p.value;
    return out;
  }
  function date(v) {
    if (!v) return "";
    const p = cat.lang === "ru" ? parts(v, { day: "2-digit", month: "2-digit", year: "numeric" }) : parts(v, { day: "numeric", month: "short", year: "numeric" });
    if (!p) return "";
    return cat.lang === "ru" ? p.day + "." + p.month + "." + p.year : p.day + " " + p.month + " " + p.year;
  }
  function time(v) {
    if (!v) return "";
    const p = parts(v, { hour: "2-digit", minute: "2-digit" });
    return p ? p.hour + ":" + p.minute : "";
  }
  function dateTime(v) { return v ? date(v) + " " + time(v) : ""; }
  // phone shows a Russian E.164 number nationally (+7 912 345-67-89); others as they are.
  function phone(v) {
    const m = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(v || "");
    return m ? "+7 " + m[1] + " " + m[2] + "-" + m[3] + "-" + m[4] : (v || "");
  }
  window.Hotline = { el: el, t: t, tv: tv, n: n, date: date, time: time, dateTime: dateTime, phone: phone, lang: cat.lang, zone: cat.zone };
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
      status.textContent = window.Hotline.t("js.call.calling");
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
        status.textContent = window.Hotline.t("js.call.ringing_you");
      } catch (e) {
        status.textContent = window.Hotline.t("js.call.failed", { Error: e.message });
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
      // The whole form travels, so the filters beside the box hold.
      const params = new URLSearchParams(new FormData(input.form));
      params.set("q", input.value.trim());
      for (const [k, v] of Array.from(params)) { if (v === "") params.delete(k); }
      const query = params.toString();
      params.set("partial", "1");
      const url = input.dataset.liveSearch + "?" + params.toString();
      try {
        const res = await fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } });
        if (!res.ok || mine !== seq) return;
        results.innerHTML = await res.text(); // server-rendered, HTML-escaped fragment
        history.replaceState(null, "", "/clients" + (query ? "?" + query : ""));
      } catch (e) { /* offline: the form still works */ }
    }, 200);
  });
})();
