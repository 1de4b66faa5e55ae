// Suggests knowledge-base articles while an agent types a request's subject.
(function () {
  "use strict";
  var input = document.getElementById("ticket-subject");
  var list = document.getElementById("kb-suggestions");
  if (!input || !list) return;
  var timer = null, seq = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim(), mine = ++seq;
      if (q.length < 3) { list.textContent = ""; return; }
      fetch("/api/v1/kb/suggest?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
        .then(function (data) {
          if (mine !== seq) return;
          list.textContent = "";
          (data.hits || []).forEach(function (h) {
            var li = document.createElement("li");
            li.className = "suggestion";
            var a = document.createElement("a");
            a.href = "/kb?q=" + encodeURIComponent(h.article.title);
            a.target = "_blank";
            a.textContent = h.article.title;
            li.appendChild(a);
            list.appendChild(li);
          });
        })
        .catch(function () {});
    }, 250);
  });
})();
