/* Behaviour every page shares. No inline handlers anywhere: the Content-Security-Policy
   allows scripts from this site's static files only. */
(function () {
  "use strict";

  // Print buttons (review page, day sheet).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Widths computed on the server (progress bars): set through the CSSOM, which the
  // policy allows, instead of a style attribute, which it does not.
  document.querySelectorAll("[data-width]").forEach(function (el) {
    el.style.width = el.dataset.width + "%";
  });

  // Typing kept on this device by intake.js ("intake-backup-<user>-…") belongs to one
  // person: gone at log-out, gone when someone else logs in here, gone after its time.
  const PREFIX = "intake-backup-";
  const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
  const me = document.body.dataset.user || "";
  function forget(keep) {
    try {
      for (let i = localStorage.length - 1; i >= 0; i--) {
        const key = localStorage.key(i);
        if (!key || key.indexOf(PREFIX) !== 0) continue;
        let saved = null;
        try { saved = JSON.parse(localStorage.getItem(key)); } catch (e) { saved = null; }
        const fresh = saved && saved.at && Date.now() - saved.at < MAX_AGE_MS;
        if (!keep(key, fresh)) localStorage.removeItem(key);
      }
    } catch (e) { /* storage disabled: nothing kept */ }
  }
  // On a logged-in page keep only this user's fresh backups; logged out (or a session that
  // timed out) keep fresh ones, so answers typed before an expired session come back.
  forget(function (key, fresh) { return fresh && (!me || key.indexOf(PREFIX + me + "-") === 0); });
  document.querySelectorAll("[data-logout]").forEach(function (el) {
    // Capture phase: runs before intake.js, which saves to the server first.
    el.addEventListener("click", function () { forget(function () { return false; }); }, true);
    if (el.form) el.form.addEventListener("submit", function () { forget(function () { return false; }); });
  });
})();
