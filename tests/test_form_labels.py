"""Every field a person fills in has a name a screen reader can say: a <label for> its
id, or an aria-label (issue 14: the ranking year and the document type had neither)."""
import re

from tests.factories import make_budget, make_verified
from tests.helpers import login
from tests.test_cases_web import _intake

_FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.S)
_SKIPPED_TYPES = ("hidden", "submit", "button", "checkbox", "radio")


def unlabelled(html: str) -> list[str]:
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    missing = []
    for tag, attributes in _FIELD.findall(html):
        kind = re.search(r'\btype="([^"]+)"', attributes)
        if tag == "input" and kind and kind.group(1) in _SKIPPED_TYPES:
            continue
        if "aria-label=" in attributes:
            continue
        field_id = re.search(r'\bid="([^"]+)"', attributes)
        if field_id is None or field_id.group(1) not in labelled:
            missing.append(f"<{tag}{attributes[:80]}>")
    return missing


def test_the_ranking_page_labels_its_fields(client, session, staff):
    make_budget(session, staff["admin1"], places=2)
    make_verified(session, staff["cw1"], staff["cw2"])
    session.commit()
    login(client, "head")
    assert unlabelled(client.get("/approval/").get_data(as_text=True)) == []


def test_a_drafts_upload_form_is_labelled(client, session):
    login(client, "cw1")
    draft = _intake(client).headers["Location"]
    page = client.get(draft).get_data(as_text=True)
    documents = page[page.index('data-testid="documents"'):]
    documents = documents[:documents.index("</form>")]
    assert 'name="file-ktp"' in documents and unlabelled(documents) == []


def test_the_check_finds_a_field_without_a_name():
    assert unlabelled('<label for="a">A</label><input id="a" name="a">'
                      '<input type="hidden" name="h"><select name="b"></select>') == [
        '<select name="b">']
