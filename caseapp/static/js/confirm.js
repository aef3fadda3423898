/* Confirmation before an irreversible step, without inline script (the pages'
   Content-Security-Policy forbids it): a form, or the button that submits it, with
   data-confirm="question" asks first and stops the submission on "Cancel". */
document.addEventListener('submit', function (event) {
  var button = event.submitter, form = event.target;
  var question = (button && button.dataset.confirm) || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
