/* A file larger than its input's data-max-bytes is refused in the browser, before it is
   sent: a phone photo over the limit would otherwise travel over mobile data only to be
   turned away (the server checks again whatever this does). The message comes from the
   input's data-too-large (the Content-Security-Policy forbids inline script). */
document.addEventListener('change', function (event) {
  var input = event.target;
  if (!input.matches('input[type=file][data-max-bytes]')) { return; }
  var file = input.files[0];
  input.setCustomValidity(file && file.size > Number(input.dataset.maxBytes)
                          ? input.dataset.tooLarge : '');
  input.reportValidity();
});
