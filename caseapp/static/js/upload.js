/* Upload with a progress bar of the bytes sent. Every form.import-form on the page;
   the server starts a job and answers JSON {location}: the job's page, whose bar shows
   the rows the worker has checked and which then goes to the result.
   Words come from the script tag's data- attributes (the CSP forbids inline script). */
(function (settings) {
  document.querySelectorAll('form.import-form').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var bar = form.querySelector('.progress-bar'), status = form.querySelector('.status');
      form.querySelector('.progress').classList.remove('d-none');
      form.querySelector('button').disabled = true;  // no second click on the same upload
      var xhr = new XMLHttpRequest();
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { bar.style.width = Math.round(100 * e.loaded / e.total) + '%'; }
        status.textContent = settings.uploading;
      };
      xhr.upload.onload = function () { status.textContent = settings.starting; };
      xhr.onloadend = function () {
        var target = settings.fallback;
        try { target = JSON.parse(xhr.responseText).location || target; } catch (e) { /* an error page */ }
        window.location = target;
      };
      xhr.open('POST', form.action);
      xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
      xhr.send(new FormData(form));
    });
  });
}(document.currentScript.dataset));
