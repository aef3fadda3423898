/* Upload with a progress bar: the bytes sent, then the rows the server has checked.
   Every form.import-form on the page; the server answers with JSON {location} so the
   flashed result is shown by the page it goes to. Settings and words come from the
   script tag's data- attributes (no inline script: the CSP forbids it). */
(function (settings) {
  document.querySelectorAll('form.import-form').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var token = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + 'a0b1c2d3';
      form.querySelector('input[name=token]').value = token;
      var bar = form.querySelector('.progress-bar'), status = form.querySelector('.status');
      form.querySelector('.progress').classList.remove('d-none');
      form.querySelector('button').disabled = true;  // no second click on the same upload
      var xhr = new XMLHttpRequest(), poll = null;
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { bar.style.width = Math.round(100 * e.loaded / e.total) + '%'; }
        status.textContent = settings.uploading;
      };
      xhr.upload.onload = function () {
        status.textContent = settings.checking;
        poll = setInterval(function () {
          fetch(settings.progressBase + token).then(function (r) { return r.json(); })
            .then(function (data) { if (data.rows !== null) { status.textContent = settings.rows + ' ' + data.rows.toLocaleString('id-ID'); } });
        }, 1000);
      };
      xhr.onloadend = function () {
        if (poll) { clearInterval(poll); }
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
