/* The NIK carries the birth date and sex (digits 7-12 are DDMMYY, the day + 40 for a
   woman): once 16 digits are typed, an empty birth date and a sex nobody chose yet are
   filled from it, for the caseworker to compare with the KTP. Only a suggestion: the
   server checks the NIK against what is saved (workflows/identity.py). The century is
   not in the NIK: the later one unless that would make the worker younger than 15. */
(function () {
  var nik = document.getElementById('nik');
  var birthDate = document.getElementById('birth_date');
  var sex = document.getElementById('sex');
  if (!nik || !birthDate || !sex) { return; }
  sex.addEventListener('change', function () { sex.dataset.chosen = 'yes'; });
  nik.addEventListener('input', function () {
    var digits = nik.value.replace(/\s/g, '');
    if (!/^\d{16}$/.test(digits)) { return; }
    var day = Number(digits.slice(6, 8)), month = Number(digits.slice(8, 10));
    var female = day > 40, year = 2000 + Number(digits.slice(10, 12));
    if (female) { day -= 40; }
    if (year > new Date().getFullYear() - 15) { year -= 100; }
    var date = new Date(Date.UTC(year, month - 1, day));
    if (day < 1 || month < 1 || date.getUTCMonth() !== month - 1) { return; }
    if (!birthDate.value) { birthDate.value = date.toISOString().slice(0, 10); }
    if (!sex.dataset.chosen) { sex.value = female ? 'P' : 'L'; }
  });
})();
