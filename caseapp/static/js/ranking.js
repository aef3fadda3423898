/* The ranking's tick controls (the page's Content-Security-Policy forbids inline
   script): tick all the head may decide, none, the top ranks the remaining money and
   places hold, or those of a category and kecamatan; and the running total of the
   ticked cases' estimated commitment. The boxes carry their case's amount and keys;
   the words come from the #ranking-select element's data- attributes. Without script
   the controls stay hidden; "All verified applications" is "all" done server-side. */
(function () {
  var controls = document.getElementById('ranking-select');
  if (!controls) { return; }
  var form = controls.closest('form');
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name=application_id]'));
  var scope = form.querySelector('select[name=scope]');
  var total = controls.querySelector('[data-testid=selected-total]');
  var remaining = Number(controls.dataset.remaining), places = Number(controls.dataset.places);

  function rupiah(amount) { return 'Rp' + amount.toLocaleString('id-ID'); }

  function show() {
    var count = 0, amount = 0;
    boxes.forEach(function (box) {
      if (box.checked) { count += 1; amount += Number(box.dataset.amount); }
    });
    var beyond = amount > remaining || count > places;
    total.textContent = controls.dataset[beyond ? 'beyond' : 'within']
      .replace('{n}', count).replace('{amount}', rupiah(amount));
    total.classList.toggle('text-danger', beyond);
  }

  function tick(chosen) {
    boxes.forEach(function (box) { box.checked = chosen(box); });
    if (scope) { scope.value = 'selected'; }  // the ticks, not every verified case
    show();
  }

  // Each way, asked when its button is pressed, answers which boxes to tick.
  var ways = {
    all: function () { return function () { return true; }; },
    none: function () { return function () { return false; }; },
    budget: function () {
      // In rank order, as the proposal decides: a case that does not fit is passed over.
      var money = remaining, left = places;
      return function (box) {
        var amount = Number(box.dataset.amount);
        if (left < 1 || amount < 1 || amount > money) { return false; }
        money -= amount;
        left -= 1;
        return true;
      };
    },
    filter: function () {
      var category = document.getElementById('select-category').value;
      var kecamatan = document.getElementById('select-kecamatan').value;
      return function (box) {
        return (!category || box.dataset.category === category) &&
          (!kecamatan || box.dataset.kecamatan === kecamatan);
      };
    }
  };

  controls.addEventListener('click', function (event) {
    var button = event.target.closest('[data-select]');
    if (!button) { return; }
    tick(ways[button.dataset.select]());
  });
  form.addEventListener('change', function (event) {
    if (event.target.name === 'application_id') { show(); }
  });
  controls.hidden = false;
  show();
}());
