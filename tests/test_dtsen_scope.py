"""A DTSEN import declares its scope (issue 14 item 2): a full update replaces the data
aktual, a partial one is merged into it, and a full update that would shrink the data
aktual (under half its rows, or kecamatan missing) is held until confirmed, applied as
partial, or cancelled. Held or refused, the data aktual in use does not change."""
import json
from datetime import date

import pytest
from sqlalchemy import inspect, select

from models import DtsenRecord, ImportRun
from tests.test_imports import count, dtsen_rows, events, run_import, write_csv
from workflows.errors import InvalidInput, InvalidTransition, NotAllowed
from workflows.imports.datasets import current_dataset, decide_held
from workflows.imports.partitions import partition_name


def kecamatan_rows(n, start, kecamatan):
    rows = dtsen_rows(n, start=start)
    for row in rows:
        row[5] = kecamatan + "1001"
    return rows


def _desil(session, run) -> dict:
    return dict(session.execute(select(DtsenRecord.nik, DtsenRecord.desil)
                                .where(DtsenRecord.dataset_id == run.id)).all())


def seed_aktual(session, staff, tmp_path) -> ImportRun:
    """Data aktual in use, as of 15 January: 6 people in Bekasi Timur, 4 in Bekasi Barat."""
    rows = kecamatan_rows(6, 1, "327501") + kecamatan_rows(4, 7, "327502")
    run = run_import(session, staff, write_csv(tmp_path / "aktual.csv", rows)).run
    assert run.status == "applied" and current_dataset(session, "dtsen").id == run.id
    return run


@pytest.fixture
def aktual(session, staff, tmp_path):
    return seed_aktual(session, staff, tmp_path)


def _two_rows(tmp_path, name="dua.csv"):
    """One person of the data aktual with a new desil and one new person."""
    rows = kecamatan_rows(1, 1, "327501") + kecamatan_rows(1, 50, "327501")
    rows[0][6] = "9"
    return write_csv(tmp_path / name, rows), rows


def test_a_small_full_update_is_held_and_changes_nothing(session, staff, tmp_path, aktual):
    before = _desil(session, aktual)
    result = run_import(session, staff, _two_rows(tmp_path)[0], as_of=date(2026, 2, 1))
    run = result.run
    assert result.held and not result.applied and (run.status, run.scope) == ("held", "full")
    assert current_dataset(session, "dtsen").id == aktual.id
    assert _desil(session, aktual) == before
    [event] = events(session, "import.held", run)
    diff = json.loads(event.diff)
    assert (diff["scope"], diff["rows"], diff["rows_now"]) == ("full", 2, 10)
    assert diff["kecamatan_missing"] == ["327502"]
    assert not events(session, "import.applied", run)


def test_a_full_update_missing_a_kecamatan_is_held_even_when_large(session, staff, tmp_path,
                                                                   aktual):
    rows = kecamatan_rows(9, 1, "327501")
    run = run_import(session, staff, write_csv(tmp_path / "timur.csv", rows)).run
    assert run.status == "held"
    assert json.loads(events(session, "import.held", run)[0].diff)["kecamatan_missing"] == [
        "327502"]


def test_a_full_update_of_the_same_size_and_area_applies(session, staff, tmp_path, aktual):
    rows = kecamatan_rows(3, 100, "327501") + kecamatan_rows(3, 200, "327502")
    run = run_import(session, staff, write_csv(tmp_path / "baru.csv", rows),
                     as_of=date(2026, 2, 1)).run
    assert (run.status, run.scope) == ("applied", "full")
    assert current_dataset(session, "dtsen").id == run.id and count(session, DtsenRecord,
                                                                     run) == 6
    assert json.loads(events(session, "import.applied", run)[0].diff)["scope"] == "full"


def test_a_shrinking_full_update_applies_when_confirmed_up_front(session, staff, tmp_path,
                                                                 aktual):
    run = run_import(session, staff, _two_rows(tmp_path)[0], as_of=date(2026, 2, 1),
                     replace_all=True).run
    assert run.status == "applied" and current_dataset(session, "dtsen").id == run.id
    assert count(session, DtsenRecord, run) == 2
    diff = json.loads(events(session, "import.applied", run)[0].diff)
    assert (diff["scope"], diff["confirmed"]) == ("full", True)


def test_a_partial_update_replaces_its_people_and_keeps_everyone_else(session, staff,
                                                                      tmp_path, aktual):
    path, rows = _two_rows(tmp_path)
    result = run_import(session, staff, path, as_of=date(2026, 2, 1), scope="partial")
    run = result.run
    assert result.applied and (run.status, run.scope, run.row_count) == ("applied", "partial", 2)
    assert current_dataset(session, "dtsen").id == run.id
    merged, old = _desil(session, run), _desil(session, aktual)
    assert len(merged) == 11 and set(old) < set(merged)
    assert merged[rows[0][0]] == 9 and old[rows[0][0]] != 9  # updated
    assert merged[rows[1][0]] == int(rows[1][6])  # added
    assert {nik: d for nik, d in merged.items() if nik not in (rows[0][0], rows[1][0])} == {
        nik: d for nik, d in old.items() if nik != rows[0][0]}  # everyone else as they were
    assert len(old) == 10  # the version before stays as it was
    diff = json.loads(events(session, "import.applied", run)[0].diff)
    assert (diff["scope"], diff["based_on"], diff["kept"], diff["replaced"], diff["rows"]) == (
        "partial", aktual.id, 9, 1, 2)


def test_a_partial_update_older_than_the_data_aktual_is_refused(session, staff, tmp_path,
                                                                aktual):
    with pytest.raises(InvalidInput, match="cannot be earlier"):
        run_import(session, staff, _two_rows(tmp_path)[0], as_of=date(2026, 1, 1),
                   scope="partial")
    # The rows are gone with the savepoint; the caller rolls back the rest (the web test).
    assert count(session, DtsenRecord) == 10
    assert current_dataset(session, "dtsen").id == aktual.id


def test_a_partial_update_without_data_aktual_is_just_its_rows(session, staff, tmp_path):
    run = run_import(session, staff, _two_rows(tmp_path)[0], scope="partial").run
    assert (run.status, run.scope) == ("applied", "partial") and count(session, DtsenRecord) == 2


def test_a_rejected_partial_update_records_its_scope(session, staff, tmp_path, aktual):
    rows = kecamatan_rows(2, 60, "327501")
    rows[1][6] = "0"
    run = run_import(session, staff, write_csv(tmp_path / "salah.csv", rows),
                     as_of=date(2026, 2, 1), scope="partial").run
    assert run.status == "rejected" and count(session, DtsenRecord) == 10
    assert json.loads(events(session, "import.rejected", run)[0].diff)["scope"] == "partial"


def test_an_unknown_scope_is_refused(session, staff, tmp_path):
    with pytest.raises(InvalidInput):
        run_import(session, staff, _two_rows(tmp_path)[0], scope="semua")
    assert count(session, ImportRun) == 0


def _held(session, staff, tmp_path):
    run = run_import(session, staff, _two_rows(tmp_path)[0], as_of=date(2026, 2, 1)).run
    assert run.status == "held"
    return run


def test_a_held_update_confirmed_as_full_replaces_the_data_aktual(session, staff, tmp_path,
                                                                  aktual):
    run = decide_held(session, _held(session, staff, tmp_path).id, "full", actor=staff["cw2"])
    assert (run.status, run.scope) == ("applied", "full")
    assert current_dataset(session, "dtsen").id == run.id and count(session, DtsenRecord,
                                                                     run) == 2
    [event] = events(session, "import.applied", run)
    diff = json.loads(event.diff)
    assert diff["confirmed"] is True and diff["status"] == ["held", "applied"]
    assert event.actor_name == "cw2"
    with pytest.raises(InvalidTransition):  # the second click
        decide_held(session, run.id, "partial", actor=staff["cw1"])
    assert count(session, DtsenRecord, run) == 2


def test_a_held_update_overtaken_by_newer_data_aktual_is_not_confirmed(session, staff,
                                                                      tmp_path, aktual):
    """Confirmed as full, it would be applied but not in use: said, and nothing changes."""
    held = _held(session, staff, tmp_path)
    march = kecamatan_rows(6, 1, "327501") + kecamatan_rows(4, 7, "327502")
    march[0][6] = "4"  # Dinsos' March extract: one desil changed
    newer = run_import(session, staff, write_csv(tmp_path / "maret.csv", march),
                       as_of=date(2026, 3, 1)).run
    assert newer.status == "applied" and newer.id != aktual.id
    with pytest.raises(InvalidTransition, match="2026-03-01"):
        decide_held(session, held.id, "full", actor=staff["cw2"])
    assert session.get(ImportRun, held.id).status == "held"
    assert current_dataset(session, "dtsen").id == newer.id
    assert decide_held(session, held.id, "cancel", actor=staff["cw2"]).status == "cancelled"


def test_a_held_update_applied_as_partial_is_merged(session, staff, tmp_path, aktual):
    run = decide_held(session, _held(session, staff, tmp_path).id, "partial",
                      actor=staff["cw1"])
    assert (run.status, run.scope) == ("applied", "partial")
    assert current_dataset(session, "dtsen").id == run.id and count(session, DtsenRecord,
                                                                     run) == 11
    diff = json.loads(events(session, "import.applied", run)[0].diff)
    assert (diff["scope"], diff["based_on"], diff["kept"]) == ("partial", aktual.id, 9)


def test_a_cancelled_held_update_leaves_nothing_behind(session, staff, tmp_path, aktual,
                                                       backend):
    run = decide_held(session, _held(session, staff, tmp_path).id, "cancel",
                      actor=staff["cw1"])
    assert run.status == "cancelled" and count(session, DtsenRecord, run) == 0
    assert current_dataset(session, "dtsen").id == aktual.id and count(session,
                                                                       DtsenRecord) == 10
    tables = inspect(session.connection()).get_table_names()
    assert partition_name(run.id) not in tables  # PostgreSQL: its partition dropped too
    assert (partition_name(aktual.id) in tables) == (backend == "postgresql")
    assert len(events(session, "import.cancelled", run)) == 1
    with pytest.raises(InvalidTransition):
        decide_held(session, run.id, "full", actor=staff["cw1"])


def test_only_importers_decide_and_only_on_held_runs(session, staff, tmp_path, aktual):
    held = _held(session, staff, tmp_path)
    with pytest.raises(NotAllowed):
        decide_held(session, held.id, "full", actor=staff["audit1"])
    with pytest.raises(InvalidInput):
        decide_held(session, held.id, "sebagian", actor=staff["cw1"])
    with pytest.raises(InvalidTransition):
        decide_held(session, aktual.id, "full", actor=staff["cw1"])
    assert session.get(ImportRun, held.id).status == "held"
    assert current_dataset(session, "dtsen").id == aktual.id


def test_cli_asks_for_the_scope_up_front(app, session, staff, tmp_path, aktual):
    runner = app.test_cli_runner()
    path = _two_rows(tmp_path)[0]
    runs = count(session, ImportRun)
    held = runner.invoke(args=["dtsen", "import", str(path), "--as", "cw1",
                               "--as-of", "2026-02-01"])
    assert held.exit_code == 1 and "--partial" in held.output and "--replace-all" in held.output
    assert count(session, ImportRun) == runs and current_dataset(session, "dtsen").id == aktual.id
    merged = runner.invoke(args=["dtsen", "import", str(path), "--as", "cw1", "--partial",
                                 "--as-of", "2026-02-01"])
    assert merged.exit_code == 0, merged.output
    run = current_dataset(session, "dtsen")
    assert run.scope == "partial" and count(session, DtsenRecord, run) == 11
