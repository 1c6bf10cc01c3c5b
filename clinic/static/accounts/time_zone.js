// Sign-up: send the browser's time zone, so appointment times are shown in the patient's
// own zone from the start. The server checks the name and falls back to the clinic's zone.
(function () {
  "use strict";
  const field = document.querySelector('input[type="hidden"][name="time_zone"]');
  if (!field || field.value) return;
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    // Very old browsers: leave it empty and the clinic's zone is used.
  }
})();
