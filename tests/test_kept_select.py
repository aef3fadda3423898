"""The kelurahan and kecamatan selects keep their HTML (caseapp/forms.KeptOptionsSelect):
what they show is WTForms' own select for the same choices, chosen value and attributes,
and a change of any of them shows anew."""
from werkzeug.datastructures import MultiDict
from wtforms.widgets import Select

from caseapp.cases.forms import WorklistFilterForm

CHOICES = [("", "Semua"), ("3275011001", "Bekasi Timur — Aren Jaya"),
           ("3275011002", "Bekasi Timur — Bekasi Jaya")]


def _field(app, chosen: str, choices=CHOICES):
    with app.test_request_context("/cases/"):
        form = WorklistFilterForm(MultiDict({"kelurahan": chosen}))
        form.kelurahan.choices = list(choices)
        kept = form.kelurahan(class_="form-control")
        own = Select()(form.kelurahan, class_="form-control")
    return kept, own


def test_the_kept_select_is_wtforms_own_for_each_value_choice_and_attribute(app):
    for chosen in ("3275011001", "3275011002", "3275011001", ""):
        kept, own = _field(app, chosen)
        assert kept == own
        assert f'<option selected value="{chosen}">' in kept
    renamed = [(code, label.upper()) for code, label in CHOICES]
    kept, own = _field(app, "3275011002", renamed)
    assert kept == own and "BEKASI JAYA" in kept
    with app.test_request_context("/cases/"):
        form = WorklistFilterForm(MultiDict({"kelurahan": "3275011001"}))
        form.kelurahan.choices = list(CHOICES)
        assert 'class="form-control is-invalid"' in form.kelurahan(class_="form-control is-invalid")
        assert 'class="form-control"' in form.kelurahan(class_="form-control")
