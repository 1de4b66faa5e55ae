// The document library: drop files on the upload box (several at once),
// filter the grant editor's roles, teams and users by name, and send
// upload forms with the session's CSRF token in a header (a file is too
// large for the token-in-the-form check).
(function () {
  "use strict";
  function listFiles(zone, input) {
    const list = zone.querySelector(".drop-list");
    if (!list) return;
    list.textContent = "";
    for (const f of input.files) {
      const li = document.createElement("li");
      li.textContent = f.name;
      list.appendChild(li);
    }
  }
  for (const zone of document.querySelectorAll(".dropzone")) {
    const input = zone.querySelector("input[type=file]");
    if (!input) continue;
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("drag"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("drag"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("drag");
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      if (input.multiple) {
        input.files = e.dataTransfer.files;
      } else {
        const dt = new DataTransfer();
        dt.items.add(e.dataTransfer.files[0]);
        input.files = dt.files;
      }
      listFiles(zone, input);
    });
    input.addEventListener("change", function () { listFiles(zone, input); });
  }
  for (const box of document.querySelectorAll(".grant-editor")) {
    const filter = box.querySelector(".grant-filter");
    if (!filter) continue;
    filter.addEventListener("input", function () {
      const q = filter.value.trim().toLowerCase();
      for (const row of box.querySelectorAll(".grant-row")) {
        const chosen = row.querySelector("select").value !== "";
        row.hidden = q !== "" && !chosen && !(row.dataset.name || "").toLowerCase().includes(q);
      }
    });
  }
  for (const form of document.querySelectorAll("form[data-upload]")) {
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      const button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      try {
        const res = await fetch(form.action, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: { "X-CSRF-Token": form.elements.csrf_token.value },
        });
        if (res.redirected && res.ok) {
          window.location.assign(res.url);
          return;
        }
        const text = await res.text();
        if ((res.headers.get("Content-Type") || "").startsWith("text/html")) {
          document.open();
          document.write(text);
          document.close();
          return;
        }
        window.alert(text);
      } finally {
        if (button) button.disabled = false;
      }
    });
  }
})();
