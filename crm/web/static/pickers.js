// Search-as-you-type pickers: an input with data-picker="product" offers
// the matching records under it as the user types; picking one puts its id
// in the hidden input named by data-picker-target (typing again clears it).
// Without JavaScript the form still works: the server finds the record by
// the typed text. Options are built with textContent, never HTML.
(function () {
  "use strict";
  const sources = {
    product: {
      url: function (q) { return "/api/v1/products?limit=8&q=" + encodeURIComponent(q); },
      items: function (out) {
        return (out.products || []).map(function (p) {
          return { id: p.id, label: p.sku + " " + p.name, price: p.price };
        });
      },
    },
  };
  const lang = (window.Hotline && window.Hotline.lang) || "ru";
  function priceText(minor) {
    const s = (minor / 100).toFixed(2);
    return lang === "ru" ? s.replace(".", ",") : s;
  }
  for (const input of document.querySelectorAll("input[data-picker]")) {
    const src = sources[input.dataset.picker];
    if (!src) continue;
    const target = document.getElementById(input.dataset.pickerTarget);
    const list = document.createElement("ul");
    list.className = "picker-list";
    list.hidden = true;
    list.setAttribute("role", "listbox");
    input.parentNode.appendChild(list);
    input.setAttribute("aria-autocomplete", "list");
    let timer = null, seq = 0;
    input.addEventListener("input", function () {
      if (target) target.value = "";
      clearTimeout(timer);
      timer = setTimeout(async function () {
        const mine = ++seq, q = input.value.trim();
        if (q.length < 2) { list.hidden = true; return; }
        try {
          const res = await fetch(src.url(q), { credentials: "same-origin", headers: { "Accept": "application/json" } });
          if (!res.ok || mine !== seq) return;
          const items = src.items(await res.json());
          list.textContent = "";
          for (const it of items) {
            const li = document.createElement("li");
            li.className = "picker-item";
            li.setAttribute("role", "option");
            li.textContent = it.label;
            li.addEventListener("mousedown", function (ev) {
              ev.preventDefault();
              input.value = it.label;
              if (target) target.value = String(it.id);
              const price = input.form && input.form.querySelector("input[name=price]");
              if (price && !price.value && it.price) price.value = priceText(it.price);
              list.hidden = true;
            });
            list.appendChild(li);
          }
          list.hidden = items.length === 0;
        } catch (e) { /* offline: the server finds the product by the text */ }
      }, 200);
    });
    input.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 150); });
  }
})();
