/* Intake steps: autosave, show-if, repeatable rows, live opioid amount, browser time zone.
   Works without JavaScript too: "Save and continue" always saves on the server. */
(function () {
  "use strict";
  const form = document.getElementById("intake-form");
  if (!form) return;
  const status = document.getElementById("autosave-status");
  // Keyed per user (clinic.js removes other users' and expired backups, and all at log-out).
  const backupKey = "intake-backup-" + (document.body.dataset.user || "anon") + "-" +
    form.dataset.intake + "-" + form.dataset.step;
  const BACKUP_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
  let timer = null;
  let dirty = false;
  let inFlight = null;

  // Saves are merged on the server field by field and in order (intake/drafts.py): each
  // carries this page's id, what the page was loaded with, and a number that grows with
  // every save, so an older autosave arriving late is ignored. They are kept out of the
  // form (a backup on this device must not carry another page's id) and added per save.
  const order = { page: "", loaded: "", seq: 0 };
  ["_page", "_seq", "_loaded"].forEach(function (name) {
    const el = form.elements[name];
    if (!el) return;
    if (name === "_page") order.page = el.value;
    el.remove();
  });
  // What this browser would post from the page as the server sent it, read from the
  // form's markup (value, checked and selected attributes, a textarea's text) rather than
  // from the fields: on a slow phone the patient may have typed before this script ran,
  // and typing taken for the starting point would look unchanged and never be saved.
  const served = document.createElement("template");
  served.innerHTML = form.outerHTML;
  order.loaded = JSON.stringify(entries(new FormData(served.content.firstElementChild)));
  const typedEarly = order.loaded !== JSON.stringify(entries(new FormData(form)));

  function entries(data) {
    const out = {};
    for (const [k, v] of data) {
      if (k === "csrfmiddlewaretoken" || k.indexOf("_keep-") === 0) continue;
      (out[k] = out[k] || []).push(v);
    }
    return out;
  }

  // The form's data for one save, numbered after every save before it.
  function ordered(data) {
    order.seq += 1;
    data.set("_page", order.page);
    data.set("_seq", String(order.seq));
    data.set("_loaded", order.loaded);
    return data;
  }
  // A save's body as "Save and continue" posts it (the form has no files): urlencoded,
  // not multipart, which is smaller and cheaper for the server to read.
  function body() { return new URLSearchParams(ordered(formData())); }

  function inOpioids(el) { return !!(el && el.closest && el.closest("fieldset.repeat[data-prefix=opioids]")); }

  function setStatus(text) { if (status) status.textContent = text; }

  function formData() { return new FormData(form); }

  // A copy on this device only until the server confirms it has the answers (offline,
  // session expired); cleared as soon as a save succeeds.
  function backup() {
    try {
      const entries = [];
      for (const [k, v] of formData()) if (k !== "csrfmiddlewaretoken") entries.push([k, v]);
      localStorage.setItem(backupKey, JSON.stringify({ at: Date.now(), entries }));
    } catch (e) { /* storage full or disabled: the server copy still exists */ }
  }
  function clearBackup() { try { localStorage.removeItem(backupKey); } catch (e) {} }

  function save() {
    if (!dirty) return inFlight || Promise.resolve(true);
    dirty = false;
    setStatus("Saving…");
    // Keeping the other window's answer: this page shows the one that lost, so reload it.
    const keepOther = !!form.querySelector('input[name^="_keep-"][value="other"]:checked');
    inFlight = fetch(form.dataset.autosaveUrl, {
      method: "POST", body: body(), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }, redirect: "manual",
    }).then(function (response) {
      if (response.ok) {
        clearBackup();
        return response.json().then(function (data) {
          // Not saved because a later save from this page is already stored: nothing to do.
          if (data.saved === false && data.reason === "stale") return true;
          const time = new Date().toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
          const notes = showConflicts(data.conflicts || {});
          setStatus("Saved at " + time + (notes ? ". An answer was also changed in another " +
            "window: see the note beside it." : ""));
          if (data.crisis) showCrisis();
          showReadings(data.readings || {});
          if (keepOther) window.location.replace(window.location.href);
          return true;
        }, function () { return true; });
      }
      throw new Error(String(response.status));
    }).catch(function () {
      dirty = true;
      backup();
      setStatus("Not saved yet: we will keep trying. Your answers are kept on this device.");
      schedule(10000);
      return false;
    }).finally(function () { inFlight = null; });
    return inFlight;
  }

  // PHQ-9 item 9 above 0: crisis resources at once, beside item 9, without waiting for
  // "Save and continue". The holder is an assertive live region already on the page, so
  // screen readers announce the box as it appears.
  function showCrisis() {
    const holder = document.getElementById("crisis-now");
    const template = document.getElementById("crisis-template");
    if (!holder || !template || holder.firstElementChild) return;
    holder.appendChild(template.content.cloneNode(true));
  }

  // What each medicine name was read as ("We read this as clonazepam"), from the save.
  function showReadings(readings) {
    form.querySelectorAll(".medicine-reading").forEach(function (note) {
      const name = note.dataset.for;
      if (!(name in readings)) return;
      if (note.textContent !== readings[name]) note.textContent = readings[name];
    });
  }

  // Answers changed here and in another window: the server sends a note per answer, with
  // both values and a choice (templates/intake/_conflict.html). Returns how many are open.
  function showConflicts(conflicts) {
    form.querySelectorAll(".conflict-note").forEach(function (note) {
      if (!(note.dataset.conflict in conflicts)) note.remove();
    });
    Object.keys(conflicts).forEach(function (key) {
      const block = form.querySelector('.q[data-key="' + key + '"]');
      if (!block) return;
      const holder = document.createElement("div");
      holder.innerHTML = conflicts[key];
      const note = holder.querySelector(".conflict-note");
      const old = block.querySelector(".conflict-note");
      if (old && old.textContent.trim() === note.textContent.trim()) return;
      if (old) old.replaceWith(note); else block.appendChild(note);
    });
    return Object.keys(conflicts).length;
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  function changed() {
    dirty = true;
    backup();
    setStatus("Editing…");
    schedule(3000);
  }
  // The opioid box follows typing, not only leaving a field (change fires on blur).
  form.addEventListener("input", function (event) { changed(); if (inOpioids(event.target)) updateMME(); });
  form.addEventListener("change", function (event) {
    changed(); applyShowIf(); if (inOpioids(event.target)) updateMME();
    if (event.target.name && event.target.name.indexOf("_keep-") === 0) schedule(200);
  });
  form.addEventListener("focusout", function () { if (dirty) schedule(200); });

  // Leaving the page: send what is unsaved, even if the page is closing.
  window.addEventListener("pagehide", function () {
    if (dirty && navigator.sendBeacon) navigator.sendBeacon(form.dataset.autosaveUrl, body());
  });
  // Links and the log-out button wait for the save first, including one already on its
  // way (a log-out that overtook it would end the session before the answers arrived).
  document.addEventListener("click", function (event) {
    const target = event.target.closest("a[href], form:not(#intake-form) button[type=submit]");
    if (!target || !(dirty || inFlight) || form.contains(target)) return;
    event.preventDefault();
    save().then(function () {
      if (target.tagName === "A") window.location.href = target.href;
      else target.form.submit();
    });
  });
  form.addEventListener("submit", function () { clearTimeout(timer); dirty = false; clearBackup(); });
  // "Save and continue" and "Back" carry the newest number, so an autosave still on its way
  // is ignored instead of overwriting them.
  form.addEventListener("submit", function () {
    const data = ordered(new FormData());
    for (const [name, value] of data) {
      let input = form.querySelector('input[type=hidden][name="' + name + '"]');
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        form.appendChild(input);
      }
      input.value = value;
    }
  });

  let restoredTyping = false;
  // Restore typing kept on this device when it is newer than the page (e.g. the session
  // expired or the connection dropped before the last save).
  (function restore() {
    let saved;
    try { saved = JSON.parse(localStorage.getItem(backupKey) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.entries || !(Date.now() - saved.at < BACKUP_MAX_AGE_MS)) return;
    const byName = {};
    for (const [k, v] of saved.entries) (byName[k] = byName[k] || []).push(v);
    for (const el of form.elements) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || !(el.name in byName)) continue;
      const values = byName[el.name];
      if (el.type === "checkbox" || el.type === "radio") el.checked = values.includes(el.value);
      else el.value = values[0];
    }
    dirty = true;
    restoredTyping = true;
    setStatus("We restored answers you typed before. Saving…");
    save();
  })();
  // Typed before this script ran: no input event was heard, so save it as if one had been.
  if (typedEarly && !restoredTyping) changed();

  // ---- show-if: the same conditions as ShowIf.test in intake/questionnaire/schema.py
  function value(key) {
    const els = form.querySelectorAll('[name="' + key + '"]');
    if (!els.length) return undefined;
    const first = els[0];
    if (first.type === "checkbox" && els.length > 1 || first.type === "checkbox" && first.closest(".q-multi")) {
      return Array.from(els).filter(function (e) { return e.checked; }).map(function (e) { return e.value; });
    }
    if (first.type === "radio") {
      const checked = Array.from(els).find(function (e) { return e.checked; });
      return checked ? checked.value : "";
    }
    if (first.type === "checkbox") return first.checked;
    return first.value;
  }
  function empty(v) { return v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length); }
  function test(c) {
    const v = value(c.key);
    if (v === undefined) return null; // controlled by another step: the server decided
    if (empty(v)) return c.op === "ne";
    switch (c.op) {
      case "eq": return v === c.value;
      case "ne": return v !== c.value;
      case "in": return c.value.includes(v);
      case "gt": return parseFloat(v) > parseFloat(c.value);
      case "truthy": return !!v;
      case "contains": return Array.isArray(v) && v.includes(c.value);
      case "any": return Array.isArray(v) && c.value.some(function (x) { return v.includes(x); });
    }
    return true;
  }
  function isShown(block, seen) {
    const conds = JSON.parse(block.dataset.showIf);
    for (const c of conds) {
      const gate = form.querySelector('.q[data-key="' + c.key + '"]');
      if (gate && gate.hidden && !seen.has(c.key)) { if (!(c.op === "ne")) return false; continue; }
      const result = test(c);
      if (result === null) return !block.hidden;
      if (!result) return false;
    }
    return true;
  }
  function applyShowIf() {
    // Twice, so a question gated by a question that just appeared settles too.
    for (let pass = 0; pass < 2; pass++) {
      form.querySelectorAll(".q[data-show-if]").forEach(function (block) {
        block.hidden = !isShown(block, new Set());
      });
    }
    // A fieldset of questions hides when every question in it is hidden.
    form.querySelectorAll("fieldset.q-group").forEach(function (set) {
      set.hidden = !Array.from(set.querySelectorAll(":scope > .q")).some(function (q) { return !q.hidden; });
    });
    const mme = document.getElementById("mme-live");
    const opioids = form.querySelector('.q[data-key="opioids"]');
    if (mme && opioids) mme.hidden = opioids.hidden;
  }

  // ---- repeatable rows (Django formsets)
  form.querySelectorAll("fieldset.repeat").forEach(function (set) {
    const prefix = set.dataset.prefix;
    const total = set.querySelector('[name="' + prefix + '-TOTAL_FORMS"]');
    const template = set.querySelector("template.repeat-template");
    set.querySelector(".repeat-add").addEventListener("click", function () {
      const n = parseInt(total.value, 10);
      if (n >= parseInt(set.dataset.max, 10)) return;
      const html = template.innerHTML.replace(/__prefix__/g, String(n)).replace(/__num__/g, String(n + 1));
      set.querySelector(".repeat-rows").insertAdjacentHTML("beforeend", html);
      total.value = String(n + 1);
      const rows = set.querySelectorAll(".repeat-row");
      const first = rows[rows.length - 1].querySelector("input, select, textarea");
      if (first) first.focus();
      addCounters(rows[rows.length - 1]);
      changed();
    });
  });

  // ---- live daily opioid amount: worked out on the server (intake/views.py opioid_total)
  // from the rows as typed, with the same rules as the review page (combination tablets
  // included), so the page never shows a figure the server would not. Only the newest
  // answer is shown; offline, the last figure stays.
  const mmeBox = document.getElementById("mme-live");
  let mmeTimer = null, mmeSeq = 0;
  function updateMME() {
    if (!mmeBox || !mmeBox.dataset.url) return;
    clearTimeout(mmeTimer);
    mmeTimer = setTimeout(function () {
      const seq = ++mmeSeq;
      fetch(mmeBox.dataset.url, {
        method: "POST", body: formData(), credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }, redirect: "manual",
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (data) {
        if (seq === mmeSeq && data.html !== undefined && mmeBox.innerHTML !== data.html) mmeBox.innerHTML = data.html;
      }).catch(function () { /* offline or signed out: keep the last figure */ });
    }, 250);
  }

  // ---- character limits: the browser is not told the limit (maxlength cuts pasted text
  // without a word), so a counter under the field says how much fits and when it is over.
  const fmt = new Intl.NumberFormat();
  function counter(field) {
    const limit = parseInt(field.dataset.maxChars, 10);
    if (!(limit > 0) || field.dataset.counted) return;
    field.dataset.counted = "1";
    const note = document.createElement("div");
    note.className = "form-text char-count";
    note.id = field.id + "-count";
    const live = document.createElement("span");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + note.id).trim());
    let wasOver = false;
    function update() {
      const used = field.value.length;
      const over = used - limit;
      if (over > 0) {
        note.textContent = fmt.format(used) + " of " + fmt.format(limit) + " characters: " +
          fmt.format(over) + " too many. Please shorten it; nothing has been cut.";
      } else {
        note.textContent = fmt.format(used) + " of " + fmt.format(limit) + " characters.";
      }
      note.classList.toggle("text-danger", over > 0);
      note.classList.toggle("fw-semibold", over > 0);
      // Announce only when crossing the limit, not on every key.
      if ((over > 0) !== wasOver) live.textContent = over > 0 ? note.textContent : "Now within the limit.";
      wasOver = over > 0;
    }
    // Under the field (and its help text), before any error message.
    const holder = field.closest(".mb-3") || field.parentNode;
    holder.appendChild(note);
    holder.appendChild(live);
    field.addEventListener("input", update);
    update();
  }
  // Long answers only: a counter under every name and phone field would be noise.
  function addCounters(root) {
    root.querySelectorAll("textarea[data-max-chars], input[data-max-chars]").forEach(function (field) {
      if (field.tagName === "TEXTAREA" || field.value.length > parseInt(field.dataset.maxChars, 10) * 0.8) counter(field);
      else field.addEventListener("input", function () {
        if (field.value.length > parseInt(field.dataset.maxChars, 10) * 0.8) counter(field);
      });
    });
  }
  addCounters(form);

  // Move focus to the error summary so screen-reader users hear what to fix.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  applyShowIf();
  if (restoredTyping || typedEarly) updateMME(); // the box was drawn from the server's copy
})();
