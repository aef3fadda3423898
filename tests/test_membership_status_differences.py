""""Paid by us" beside "protected at BPJS": each kind of difference, the counts, the
keyset pages and the export's rows."""
from datetime import date

import pytest

from models import clock
from reports.membership_status import counts, differences, page
from tests.factories import enrol, make_budget
from tests.membership_factories import pay, row_of, status_csv
from workflows.exits import terminate_membership
from workflows.membership.status_import import import_bpjs_status


@pytest.fixture
def world(session, staff):
    """Today 10 July 2026; everyone paid January to June."""
    make_budget(session, staff["admin1"], places=6)
    same, nonaktif, behind, ended, unknown = enrol(session, staff, 5)
    pay(session, staff, date(2026, 1, 1), 6)
    terminate_membership(session, ended, reason_code="pindah_domisili", note="pindah ke Depok",
                         effective_month=date(2026, 7, 1), actor=staff["cw1"])
    import_bpjs_status(session, status_csv([
        row_of(same, "AKTIF", "2026-06"), row_of(nonaktif, "NONAKTIF", "2026-06"),
        row_of(behind, "AKTIF", "2026-04"), row_of(ended, "AKTIF", "2026-06")]),
        file_name="status.csv", as_of=date(2026, 7, 8), actor=staff["cw1"])
    return {"same": same, "nonaktif": nonaktif, "behind": behind, "ended": ended,
            "unknown": unknown}


def test_each_kind_of_difference_is_found(session, world):
    today = clock.today()
    found = {p.application_id: p.kinds for p in differences(session, today)}
    w = {name: a.id for name, a in world.items()}
    assert found == {w["nonaktif"]: ("paid_not_active", "lapsed"),
                     w["behind"]: ("bpjs_behind",),
                     w["ended"]: ("active_after_end",),
                     w["unknown"]: ("no_status",)}
    assert counts(session, today) == {"all": 5, "paid_not_active": 1, "bpjs_behind": 1,
                                      "active_after_end": 1, "no_status": 1, "lapsed": 1}
    only = list(differences(session, today, "bpjs_behind"))
    assert [(p.application_id, p.paid_through, p.bpjs_paid_through) for p in only] == [
        (w["behind"], date(2026, 6, 1), date(2026, 4, 1))]


def test_aktif_as_of_a_day_before_our_exit_is_not_a_difference(session, staff):
    make_budget(session, staff["admin1"], places=1)
    leaving = enrol(session, staff, 1)[0]
    pay(session, staff, date(2026, 1, 1), 6)
    terminate_membership(session, leaving, reason_code="pindah_domisili", note="pindah",
                         effective_month=date(2026, 8, 1), actor=staff["cw1"])
    import_bpjs_status(session, status_csv([row_of(leaving, "AKTIF", "2026-06")]),
                       file_name="status.csv", as_of=date(2026, 7, 8), actor=staff["cw1"])
    assert counts(session, clock.today())["active_after_end"] == 0
    assert list(differences(session, clock.today())) == []


def test_the_list_is_paged_by_application_number(session, world):
    today = clock.today()
    first, after = page(session, today, limit=2)
    second, after_second = page(session, today, after=after, limit=2)
    third, end = page(session, today, after=after_second, limit=2)
    ids = [p.application_id for p in first + second + third]
    assert ids == sorted(a.id for a in world.values()) and end is None
    assert len(first) == len(second) == 2 and len(third) == 1
    one = next(p for p in first + second + third if p.application_id == world["same"].id)
    assert one.masked_nik.endswith(world["same"].worker.nik[-4:]) and "*" in one.masked_nik
    assert one.masked_name == "P. U. " + world["same"].worker.full_name.split()[-1][0] + "."
    assert (one.paid_through, one.months_unpaid, one.bpjs_status, one.kinds) == (
        date(2026, 6, 1), 1, "AKTIF", ())
    lapsed, _ = page(session, today, kind="lapsed")
    assert [p.application_id for p in lapsed] == [world["nonaktif"].id]
