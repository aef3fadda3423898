"""The city reports at the turn of the year and on 29 February: which quarter and
semester a day falls in, who is still covered on 31 December, and the reference day of
"active" while a semester runs. The days are pinned with the ``day`` marker; the
``calendar`` test holds on whatever day the session runs (make test walks 1 January,
31 December and 29 February)."""
import re
from datetime import date

import pytest

from models import clock
from reports.city.periods import Semester
from tests.city_report_helpers import (BEKASIJAYA, KRANJI, make_report, members, paid_block,
                                       sheets)
from tests.factories import make_budget
from tests.helpers import login
from tests.report_helpers import flat, pdf_pages, translated
from workflows.exits import terminate_membership


def _inpres_total(app, staff, semester: str) -> tuple:
    rows = sheets(make_report(app, staff, "city_inpres", "xlsx", {"semester": semester}
                              ).content)[2]
    return {row[0]: row[1:] for row in rows[1:]}[translated(app, "Total")]


@pytest.mark.day(date(2026, 12, 31))
def test_on_31_december_the_year_end_count_and_the_second_semester(app, session, staff):
    make_budget(session, staff["admin1"], places=10)
    members(session, staff, 1, kelurahan_code=BEKASIJAYA)
    left_in_december, last_day_today = members(session, staff, 2, kelurahan_code=KRANJI)
    terminate_membership(session, left_in_december, reason_code="pindah_domisili",
                         effective_month=date(2026, 12, 1), note="", actor=staff["cw1"])
    terminate_membership(session, last_day_today, reason_code="pekerja_formal",
                         effective_month=date(2027, 1, 1), note="", actor=staff["cw1"])
    year = paid_block(session, staff, date(2026, 1, 1), 12, "SP2D-AKHIR", date(2026, 12, 31))
    session.commit()
    coverage = sheets(make_report(app, staff, "city_coverage", "xlsx", {"year": "2026"}
                                  ).content)[0]
    # Covered at some time in 2026: all three; on 31 December: not the one gone since 1 Dec.
    assert {row[0]: row[1:3] for row in coverage[1:]}["2026"] == (3, 2)
    # Today is the semester's last day: active = covered today and paid for December.
    assert _inpres_total(app, staff, "2026-S2") == (3, 3, 2, 2)
    quarters = {row[0]: row for row in sheets(make_report(
        app, staff, "city_budget", "xlsx", {"year": "2026"}).content)[0][1:]}
    assert quarters["Q4 2026"][4] == year.total and quarters["Q3 2026"][4] == 0


@pytest.mark.day(date(2027, 1, 1))
def test_on_1_january_last_year_is_closed_and_the_new_one_starts_empty(app, session, client,
                                                                       staff):
    with clock.pinned(date(2026, 6, 1)):
        make_budget(session, staff["admin1"], places=10)
        members(session, staff, 3, kelurahan_code=KRANJI)
        paid_block(session, staff, date(2026, 1, 1), 12, "SP2D-TAHUNAN", date(2026, 6, 1))
    session.commit()
    # Last semester is over: its reference day is 31 December, not today.
    last = sheets(make_report(app, staff, "city_inpres", "xlsx", {"semester": "2026-S2"}
                              ).content)[0]
    assert dict(last[1:])[translated(app, "Active on")] == "2026-12-31"
    assert _inpres_total(app, staff, "2026-S2") == (0, 3, 3, 0)
    # Nobody renewed: not covered in 2027, whose target grows from 2026's three.
    assert _inpres_total(app, staff, "2027-S1") == (0, 0, 0, 0)
    years = {row[0]: row for row in sheets(make_report(
        app, staff, "city_coverage", "xlsx", {"year": "2027"}).content)[0][1:]}
    assert years["2027"][1:5] == (0, 0, 3, 4) and years["2026"][1:3] == (3, 3)
    login(client, "head")
    page = client.get("/reports/").get_data(as_text=True)
    assert 'name="semester" value="2027-S1"' in page
    assert re.search(r'id="city_coverage-year" type="number" name="year" value="2027"', page)


@pytest.mark.day(date(2028, 2, 29))
def test_on_29_february_the_first_quarter_and_semester_hold_it(app, session, staff):
    make_budget(session, staff["admin1"], year=2028, places=5)
    members(session, staff, 2, year=2028, coverage_start=date(2028, 2, 1),
            sk_date=date(2028, 2, 1), kelurahan_code=BEKASIJAYA)
    february = paid_block(session, staff, date(2028, 2, 1), 1, "SP2D-KABISAT",
                          date(2028, 2, 29))
    session.commit()
    quarters = {row[0]: row for row in sheets(make_report(
        app, staff, "city_budget", "xlsx", {"year": "2028"}).content)[0][1:]}
    assert quarters["Q1 2028"][4:6] == (february.total, 2)
    assert quarters["Q1 2028"][2] > 0 and quarters["Q2 2028"][2] == 0
    # Registered today, covered since February, paid through February: active today.
    assert _inpres_total(app, staff, "2028-S1") == (2, 2, 2, 0)
    text = flat(" ".join(pdf_pages(make_report(app, staff, "city_inpres", "pdf",
                                               {"semester": "2028-S1"}).content)))
    assert "29 Februari 2028" in text


@pytest.mark.calendar
def test_the_current_semester_is_offered_and_counted_up_to_today(app, client, staff):
    today = clock.today()
    current = Semester.parse(f"{today.year}-S{1 if today.month <= 6 else 2}")
    assert current.period.first_day <= today <= current.period.last_day
    assert [q.period.first_day <= today <= q.period.last_day for q in current.quarters
            ].count(True) == 1
    login(client, "audit1")
    page = client.get("/reports/").get_data(as_text=True)
    assert f'name="semester" value="{current}"' in page
    report = make_report(app, staff, "city_inpres", "xlsx",
                         {"semester": str(current)}, user="audit1")
    assert dict(sheets(report.content)[0][1:])[translated(app, "Active on")] == \
        today.isoformat()
