"""The kelurahan and kecamatan selects keep their HTML (caseapp/forms.KeptOptionsSelect):
what they show is WTForms' own select for the same choices, chosen value and attributes,
and a change of any of them shows anew."""
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import Select

from caseapp.cases.forms import WorklistFilterForm
from caseapp.forms import KeptOptionsSelect

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


def test_labels_flags_and_unknown_values_are_not_mixed_up(app):
    """A label is escaped as WTForms escapes it; a required field is not served an
    optional one's HTML; a value no choice has is shown but not kept."""
    unsafe = [("", "Semua"), ("3275011001", "<b>Aren</b> & Jaya")]
    kept, own = _field(app, "3275011001", unsafe)
    assert kept == own and "&lt;b&gt;Aren&lt;/b&gt; &amp; Jaya" in kept
    marked = [("", "Semua"), ("3275011001", Markup("<b>Aren</b> & Jaya"))]
    kept, own = _field(app, "3275011001", marked)
    assert kept == own and "<b>Aren</b>" in kept
    widget = WorklistFilterForm.kelurahan.kwargs["widget"]
    before = len(widget._html)
    kept, own = _field(app, "9999999999")
    assert kept == own and len(widget._html) == before
    shared = KeptOptionsSelect()

    class Loose(Form):
        kelurahan = SelectField(validators=[Optional()], widget=shared, choices=CHOICES)

    class Strict(Form):
        kelurahan = SelectField(validators=[DataRequired()], widget=shared, choices=CHOICES)

    assert "required" not in Loose().kelurahan() and "required" in Strict().kelurahan()
