"""The templates' date filters (caseapp/date_filters.py) write what Flask-Babel's do, for
every pattern the templates use, in both languages, across the day and year boundary of
Kota Bekasi's wall clock."""
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from flask_babel import force_locale, format_date, format_datetime

from caseapp import create_app
from tests.conftest_config import app_config

TEMPLATES = Path(__file__).resolve().parent.parent / "caseapp" / "templates"
USED = re.compile(r"\|(datetimeformat|dateformat)\('([^']+)'\)")
MOMENTS = [datetime(2026, 12, 31, 16, 59, 59, tzinfo=timezone.utc),  # 23:59:59 WIB
           datetime(2026, 12, 31, 17, 0, 0, tzinfo=timezone.utc),    # 1 January, WIB
           datetime(2027, 3, 5, 8, 7, 6),                            # naive: UTC
           datetime(2026, 6, 1, 9, 30, tzinfo=timezone.utc).astimezone()]


def _used_patterns() -> dict[str, set[str]]:
    used = {"datetimeformat": set(), "dateformat": set()}
    for template in TEMPLATES.rglob("*.html"):
        for name, pattern in USED.findall(template.read_text(encoding="utf-8")):
            used[name].add(pattern)
    return used


@pytest.fixture(scope="module")
def filters(tmp_path_factory):
    database = tmp_path_factory.mktemp("dates") / "unused.db"
    app = create_app(app_config(DATABASE_URL=f"sqlite:///{database}"))
    with app.test_request_context("/"):
        yield app.jinja_env.filters


def test_the_templates_use_patterns_of_both_filters():
    used = _used_patterns()
    assert len(used["datetimeformat"]) >= 5 and len(used["dateformat"]) >= 5, used


@pytest.mark.parametrize("language", ["id", "en"])
def test_each_pattern_reads_as_flask_babel_writes_it(filters, language):
    used = _used_patterns()
    with force_locale(language):
        for pattern in used["datetimeformat"]:
            for moment in MOMENTS:
                assert filters["datetimeformat"](moment, pattern) == \
                    format_datetime(moment, pattern), (pattern, moment)
        for pattern in used["dateformat"]:
            for value in [*MOMENTS, date(2026, 2, 28)]:
                assert filters["dateformat"](value, pattern) == \
                    format_date(value, pattern), (pattern, value)


def test_the_wall_clock_of_kota_bekasi_and_the_language(filters):
    new_year = MOMENTS[1]
    with force_locale("id"):
        assert filters["datetimeformat"](new_year, "dd MMMM yyyy HH:mm") == "01 Januari 2027 00:00"
        assert filters["dateformat"](new_year, "d MMMM yyyy") == "1 Januari 2027"
    with force_locale("en"):
        assert filters["datetimeformat"](MOMENTS[0], "dd MMM yyyy HH:mm:ss") == \
            "31 Dec 2026 23:59:59"


@pytest.mark.parametrize("language", ["id", "en"])
def test_what_the_templates_never_pass_is_flask_babels_own(filters, language):
    with force_locale(language):
        moment = MOMENTS[1]
        for named in ("short", "medium", "long", "full", None):
            assert filters["datetimeformat"](moment, named) == format_datetime(moment, named)
            assert filters["dateformat"](moment, named) == format_date(moment, named)
        day = date(2026, 2, 28)
        assert filters["datetimeformat"](day, "dd MMM yyyy HH:mm") == \
            format_datetime(day, "dd MMM yyyy HH:mm")
        assert filters["datetimeformat"](None, "yyyy") == format_datetime(None, "yyyy")
        assert filters["dateformat"](None, "yyyy") == format_date(None, "yyyy")
