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
