"""caseapp/admin/static_urls.py: the layout's links to static files are url_for's, under
whatever script root the request comes with, while each is built once."""
import re

import pytest
from flask import url_for

from caseapp import create_app
from tests.conftest_config import app_config

LINKED = re.compile(r'(?:href|src)="([^"]*/static/[^"]*)"')


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    database = tmp_path_factory.mktemp("static") / "unused.db"
    return create_app(app_config(DATABASE_URL=f"sqlite:///{database}"))


@pytest.mark.parametrize("root", ["", "/sigap", "/lain"])
def test_the_layout_links_what_url_for_builds(app, root):
    page = app.test_client().get("/auth/login", base_url=f"http://localhost{root}/")
    assert page.status_code == 200
    linked = LINKED.findall(page.text)
    with app.test_request_context("/", base_url=f"http://localhost{root}/"):
        expected = {url_for("admin.static", filename="vendor/jquery.min.js", v="3.5.1"),
                    url_for("admin.static", filename="admin/js/helpers.js", v="1.0.0"),
                    url_for("static", filename="caseapp.css"),
                    url_for("static", filename="js/confirm.js")}
    assert expected <= {link.replace("&amp;", "&") for link in linked}, linked
    assert all(link.startswith(f"{root}/") for link in linked)


def test_each_link_is_built_once(app, monkeypatch):
    static_url = app.jinja_env.globals["static_url"]
    built = []
    monkeypatch.setattr("caseapp.admin.static_urls.url_for",
                        lambda endpoint, **arguments: built.append(endpoint) or "/x")
    with app.test_request_context("/", base_url="http://localhost/sekali/"):
        for _ in range(3):
            static_url("static", filename="js/once.js")
    assert built == ["static"]
