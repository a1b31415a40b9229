// Progressive enhancement for the newsroom; everything works without it.
// Autosave: a draft's form is saved every 20 seconds when it changed, as a revision, through
// the same server checks as the Save button. A conflict stops autosave and says so.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form || !form.dataset.autosave || !window.fetch || !window.URLSearchParams) return;
  var status = document.getElementById("autosave-status");
  var version = document.getElementById("version");
  var last = new URLSearchParams(new FormData(form)).toString();
  var busy = false, stopped = false;
  var lang = document.documentElement.lang;
  var words = {
    fr: { saved: "Enregistré automatiquement à ", conflict: "Quelqu'un d'autre a enregistré cet article : enregistrez à la main pour comparer.", failed: "L'enregistrement automatique a échoué ; vos modifications sont toujours dans le formulaire." },
    ar: { saved: "حُفظ تلقائيا على الساعة ", conflict: "حفظ شخص آخر هذا المقال: احفظ يدويا للمقارنة.", failed: "فشل الحفظ التلقائي؛ تعديلاتك ما تزال في الاستمارة." },
    en: { saved: "Saved automatically at ", conflict: "Someone else saved this article: save by hand to compare.", failed: "Autosave failed; your changes are still in the form." }
  }[lang] || null;
  if (!words) return;
  function say(text) { if (status) status.textContent = text; }
  setInterval(function () {
    if (busy || stopped) return;
    var data = new FormData(form);
    data.set("action", "save");
    var body = new URLSearchParams(data).toString();
    if (body === last) return;
    busy = true;
    fetch(form.dataset.autosave, { method: "POST", body: body, credentials: "same-origin",
      headers: { "content-type": "application/x-www-form-urlencoded" } })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, json: j }; }); })
      .then(function (r) {
        if (r.ok) {
          version.value = r.json.version;
          last = new URLSearchParams(new FormData(form)).toString();
          say(words.saved + new Date().toLocaleTimeString());
        } else if (r.status === 409) {
          stopped = true;
          say(words.conflict);
        } else {
          say(words.failed);
        }
      })
      .catch(function () { say(words.failed); })
      .then(function () { busy = false; });
  }, 20000);
})();

// Keyboard shortcuts on the article form: Ctrl+S (Cmd+S) saves, Ctrl+Alt+P previews, through
// the buttons of the form's bar (the same server checks as a click).
(function () {
  "use strict";
  var bar = document.querySelector("#editor .editor-bar");
  if (!bar) return;
  document.addEventListener("keydown", function (e) {
    var mod = e.ctrlKey || e.metaKey;
    var key = (e.key || "").toLowerCase();
    var button = null;
    if (mod && !e.altKey && !e.shiftKey && key === "s") button = bar.querySelector("button[value=save]");
    else if (mod && e.altKey && (key === "p" || e.code === "KeyP")) button = bar.querySelector("button[value=preview]");
    if (!button) return;
    e.preventDefault();
    button.click();
  });
})();

// The translation field suggests articles by title, in any language, as one types; picking
// one writes "12 — its title", whose number the server reads.
(function () {
  "use strict";
  var field = document.getElementById("translation_of");
  var list = document.getElementById("translation-suggestions");
  if (!field || !list || !field.dataset.titles || !window.fetch) return;
  var timer = null, asked = "";
  field.addEventListener("input", function () {
    var words = field.value.trim();
    if (words.length < 2 || /^\d/.test(words) || words === asked) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      asked = words;
      fetch(field.dataset.titles + "?q=" + encodeURIComponent(words), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (found) {
          list.textContent = "";
          found.forEach(function (a) {
            var option = document.createElement("option");
            option.value = a.id + " — " + a.title + " (" + a.language + ")";
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 250);
  });
})();

// "Being edited by …": while the article's form is open, its hold on the article is renewed
// every 30 seconds; when a colleague takes it over, the page says so (saving then shows both
// versions, as any conflict does).
(function () {
  "use strict";
  var form = document.getElementById("editor");
  var status = document.getElementById("lease-status");
  if (!form || !form.dataset.lease || !status || !window.fetch || !window.URLSearchParams) return;
  var csrf = form.querySelector("input[name=csrf]");
  var lang = document.documentElement.lang;
  var tookOver = { fr: " a pris la main sur cet article : enregistrez pour comparer vos versions.",
    ar: " تولى تحرير هذا المقال: احفظ لمقارنة نسختيكما.",
    en: " took over this article: save to compare your versions." }[lang] || null;
  if (!csrf || !tookOver) return;
  setInterval(function () {
    var body = new URLSearchParams({ csrf: csrf.value }).toString();
    fetch(form.dataset.lease, { method: "POST", body: body, credentials: "same-origin",
      headers: { "content-type": "application/x-www-form-urlencoded" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (j && !j.mine) {
          status.textContent = j.holder + tookOver;
          status.hidden = false;
        }
      })
      .catch(function () {});
  }, 30000);
})();

// Keyboard shortcuts in the moderation queue: j / k next / previous comment, a approve,
// r refuse (with the reason chosen), s spam, x select for a bulk action.
(function () {
  "use strict";
  var queue = document.getElementById("queue");
  if (!queue) return;
  var items = Array.prototype.slice.call(queue.querySelectorAll(".queue-item"));
  if (!items.length) return;
  var current = 0;
  function focus(i) {
    current = Math.max(0, Math.min(items.length - 1, i));
    items[current].focus();
    items[current].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    // The comment with the focus (clicked or tabbed to), else the one j / k reached.
    var focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest(".queue-item") : null;
    if (focused) current = items.indexOf(focused);
    var item = items[current];
    var click = function (selector) { var b = item.querySelector(selector); if (b) b.click(); };
    switch (e.key) {
      case "j": focus(current + 1); break;
      case "k": focus(current - 1); break;
      case "a": click(".act-approve"); break;
      case "r": click(".act-refuse"); break;
      case "s": click(".act-spam"); break;
      case "x": var box = item.querySelector(".pick"); if (box) box.checked = !box.checked; break;
      default: return;
    }
    e.preventDefault();
  });
  focus(0);
})();
