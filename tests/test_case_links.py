"""caseapp/cases/links.py: a list's links to case pages are url_for's, number for number,
also under a script root (the app served below a path), each root its own."""
import pytest
from flask import url_for

from caseapp import create_app
from tests.conftest_config import app_config


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    database = tmp_path_factory.mktemp("links") / "unused.db"
    return create_app(app_config(DATABASE_URL=f"sqlite:///{database}"))


@pytest.mark.parametrize("root", ["", "/sigap"])
def test_each_link_is_url_fors(app, root):
    case_link = app.jinja_env.globals["case_link"]
    with app.test_request_context("/cases/", base_url=f"http://localhost{root}/"):
        for number in (1, 42, 1_000_300, 2_147_483_646):
            assert case_link(number) == url_for("cases.case", application_id=number)
        assert case_link(7) == f"{root}/cases/7"


def test_each_script_root_has_its_own_links(app):
    case_link = app.jinja_env.globals["case_link"]
    with app.test_request_context("/", base_url="http://localhost/a/"):
        assert case_link(5) == "/a/cases/5"
    with app.test_request_context("/", base_url="http://localhost/b/"):
        assert case_link(5) == "/b/cases/5"


def test_only_numbers_are_linked(app):
    case_link = app.jinja_env.globals["case_link"]
    with app.test_request_context("/"):
        with pytest.raises(ValueError):
            case_link("5/../../admin")
