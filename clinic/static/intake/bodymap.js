/* The body map's drawing ticks the real checkboxes, and shows which are ticked.
   The checkboxes are the control (keyboard, screen readers); a tap on the drawing is a
   shortcut to the same box, and fires its change event so autosave and show-if follow. */
(function () {
  "use strict";
  document.querySelectorAll(".body-map").forEach(function (map) {
    const boxes = map.querySelectorAll("input[type=checkbox][data-area]");
    function paint() {
      boxes.forEach(function (box) {
        map.querySelectorAll('.body-part[data-area="' + box.dataset.area + '"]').forEach(
          function (part) { part.classList.toggle("is-chosen", box.checked); }
        );
      });
    }
    map.querySelectorAll(".body-part[data-area]").forEach(function (part) {
      part.addEventListener("click", function () {
        const box = map.querySelector('input[type=checkbox][data-area="' + part.dataset.area + '"]');
        if (!box) return;
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
        box.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
    boxes.forEach(function (box) { box.addEventListener("change", paint); });
    paint();
  });
})();
