/* The job page's progress bar: polls the job's stored status (any app server answers
   the same) and, once the job has ended, goes to the page that shows its result.
   An ended job's file is fetched at once: its form (data-auto-download) is submitted
   once on load, so a small report costs no extra click.
   Words come from the #job element's data- attributes (the CSP forbids inline script). */
(function () {
  var box = document.getElementById('job');
  var download = document.querySelector('form[data-auto-download]');
  if (download) { download.submit(); }
  var bar = box && box.querySelector('.progress-bar');
  if (!bar) { return; }
  var status = box.querySelector('.status');
  var words = box.dataset;
  function show(data) {
    if (data.ended) { window.location = data.location; return; }
    if (data.done === null || data.done === undefined) {
      status.textContent = data.status === 'queued' ? words.queued : words.running;
      return;
    }
    var text = words.rows + ' ' + data.done.toLocaleString('id-ID');
    if (data.total) {
      var percent = Math.min(99, Math.round(100 * data.done / Math.max(data.total, 1)));
      bar.classList.remove('progress-bar-animated');
      bar.style.width = percent + '%';
      bar.setAttribute('aria-valuenow', percent);
      bar.textContent = percent + '%';
      text += ' ' + words.of + ' ' + data.total.toLocaleString('id-ID');
      if (data.done >= data.total) {  // all read and checked: now it is being saved
        bar.classList.add('progress-bar-animated');
        text = words.saving;
      }
    }
    status.textContent = text;
  }
  function poll() {
    fetch(words.statusUrl, {credentials: 'same-origin'})
      .then(function (r) { return r.json(); })
      .then(function (data) { show(data); if (!data.ended) { setTimeout(poll, 700); } })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
}());
