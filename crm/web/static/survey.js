// The new-campaign form: only the chosen source of numbers is shown, and
// an uploaded CSV or XLSX file travels in the ordinary form post (its
// bytes in a hidden field, base64), so the form keeps its CSRF field.
(function () {
  "use strict";
  const form = document.getElementById("campaign-form");
  if (!form) return;
  function show() {
    const src = (form.querySelector("input[name=source]:checked") || {}).value || "crm";
    for (const s of ["crm", "list", "file"]) {
      const box = document.getElementById("audience-" + s);
      if (box) box.hidden = s !== src;
    }
  }
  for (const r of form.querySelectorAll("input[name=source]")) r.addEventListener("change", show);
  show();
  const file = document.getElementById("campaign-file");
  if (file) {
    file.addEventListener("change", function () {
      const f = file.files && file.files[0];
      if (!f) return;
      const reader = new FileReader();
      reader.onload = function () {
        const url = String(reader.result);
        document.getElementById("campaign-file-data").value = url.slice(url.indexOf(",") + 1);
        document.getElementById("campaign-file-name").value = f.name;
      };
      reader.readAsDataURL(f);
    });
  }
})();
