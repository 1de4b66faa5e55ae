// The prompts page: a recording upload is a multipart form, whose CSRF
// token goes in the X-CSRF-Token header (the server reads the form field
// of URL-encoded forms only).
document.querySelectorAll("form.prompt-upload").forEach(function (form) {
  form.addEventListener("submit", async function (e) {
    e.preventDefault();
    var data = new FormData(form);
    var button = form.querySelector("button");
    button.disabled = true;
    try {
      var resp = await fetch(form.action, { method: "POST", body: data, headers: { "X-CSRF-Token": data.get("csrf_token") } });
      if (resp.redirected) {
        location.href = resp.url;
        return;
      }
      document.open();
      document.write(await resp.text());
      document.close();
    } finally {
      button.disabled = false;
    }
  });
});
