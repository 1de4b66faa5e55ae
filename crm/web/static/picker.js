// A search-as-you-type picker for forms: a record is chosen by typing part
// of its name and clicking it, never by typing its id. Markup:
//   <div class="picker" data-source="/api/v1/clients?limit=8&q=">
//     <input type="search" class="picker-q"> <input type="hidden" name="client_id" class="picker-value">
//     <ul class="picker-results"></ul></div>
// The source answers JSON {items: [{id, name, company?}]}; data-label and
// data-detail name other fields to show instead of name and company (a
// request: subject and client_name); data-none is the text shown when
// nothing matches.
(function () {
  "use strict";
  for (const box of document.querySelectorAll(".picker[data-source]")) {
    const q = box.querySelector(".picker-q");
    const value = box.querySelector(".picker-value");
    const list = box.querySelector(".picker-results");
    if (!q || !value || !list) continue;
    const label = box.dataset.label || "name";
    const detail = box.dataset.detail || "company";
    let timer = null;
    let seq = 0;
    function choose(item) {
      value.value = String(item.id);
      q.value = item[detail] ? item[label] + " (" + item[detail] + ")" : item[label];
      list.textContent = "";
      box.classList.add("picked");
      value.dispatchEvent(new Event("change", { bubbles: true }));
    }
    async function search() {
      const text = q.value.trim();
      const mine = ++seq;
      if (text.length < 2) { list.textContent = ""; return; }
      let items = [];
      try {
        const res = await fetch(box.dataset.source + encodeURIComponent(text), { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (res.ok) items = (await res.json()).items || [];
      } catch (e) { /* offline: nothing to show */ }
      if (mine !== seq) return;
      list.textContent = "";
      for (const item of items) {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.className = "picker-item";
        b.dataset.id = item.id;
        b.textContent = item[label];
        if (item[detail]) {
          const s = document.createElement("span");
          s.className = "muted small";
          s.textContent = " " + item[detail];
          b.appendChild(s);
        }
        b.addEventListener("click", function () { choose(item); });
        li.appendChild(b);
        list.appendChild(li);
      }
      if (!items.length) {
        const li = document.createElement("li");
        li.className = "muted small";
        li.textContent = box.dataset.none || "—";
        list.appendChild(li);
      }
    }
    q.addEventListener("input", function () {
      value.value = "";
      box.classList.remove("picked");
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
  }
})();
