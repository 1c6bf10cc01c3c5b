// Check-in form: crisis resources at once when PHQ-9 item 9 is answered above 0 (the
// server shows the full support page again after sending).
document.querySelectorAll('input[name="phq9_9"]').forEach(function (input) {
  input.addEventListener('change', function () {
    var box = document.getElementById('crisis-now');
    var template = document.getElementById('crisis-template');
    if (box && template) box.innerHTML = input.value !== '0' ? template.innerHTML : '';
  });
});

// The opioid rows only matter when something changed: hidden otherwise (shown without JS).
(function () {
  var rows = document.querySelector('.opioid-rows');
  var choices = document.querySelectorAll('input[name="opioids_change"]');
  if (!rows || !choices.length) return;
  function sync() {
    var picked = document.querySelector('input[name="opioids_change"]:checked');
    var errors = rows.querySelector('.is-invalid');
    rows.hidden = !errors && !(picked && picked.value === 'changed');
  }
  choices.forEach(function (input) { input.addEventListener('change', sync); });
  sync();
})();
