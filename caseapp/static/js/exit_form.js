/* The case page's end-of-membership form (templates/exits/_terminate_form.html): shows
   the fields the chosen reason needs (date of death, other payer, first month), makes
   them required, and asks the confirmation that fits the reason. Without script every
   field shows and the server says what is missing. */
document.querySelectorAll('form[data-exit-form]').forEach(function (form) {
  var reason = form.querySelector('select[name="exit_reason"]');
  var general = form.dataset.confirm;
  function update() {
    var chosen = reason.value;
    form.querySelectorAll('[data-exit-for]').forEach(function (part) {
      var shown = part.dataset.exitFor.split(' ').indexOf(chosen) >= 0;
      part.hidden = !shown;
      part.querySelectorAll('input, select').forEach(function (field) { field.required = shown; });
    });
    form.querySelectorAll('[data-exit-not]').forEach(function (part) {
      var shown = part.dataset.exitNot !== chosen;
      part.hidden = !shown;
      part.querySelectorAll('input').forEach(function (field) { field.required = shown; });
    });
    form.dataset.confirm = (chosen === 'meninggal' && form.dataset.confirmDeath) || general;
  }
  reason.addEventListener('change', update);
  update();
});
