"""The schema comes only from migrations, and the shipped reference data is right."""
import json
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from caseapp.extensions import db
from models import AuditEvent, Base, ContributionComponent, Kecamatan, Kelurahan, UmkRate
from workflows.actor import Actor
from workflows.reference import load_reference_data

ROOT = Path(__file__).resolve().parent.parent


def test_upgrade_head_matches_the_models(app):
    with db.state(app).engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_kota_bekasi_has_12_kecamatan_and_56_kelurahan(session):
    assert session.scalar(select(func.count()).select_from(Kecamatan)) == 12
    assert session.scalar(select(func.count()).select_from(Kelurahan)) == 56
    bantargebang = session.execute(select(Kelurahan.code).where(
        Kelurahan.kecamatan_code == "327507").order_by(Kelurahan.code)).scalars().all()
    assert bantargebang == ["3275071003", "3275071004", "3275071007", "3275071008"]
    assert session.get(Kelurahan, "3275081006").name == "Jatibening Baru"
    assert session.get(Kecamatan, "327512").name == "Pondokmelati"


def test_umk_and_bpu_contribution_amounts(session):
    assert {r.year: r.amount for r in session.execute(select(UmkRate)).scalars()} == {
        2024: 5_343_430, 2025: 5_690_752, 2026: 5_999_443}
    components = {c.program: c.amount for c in
                  session.execute(select(ContributionComponent)).scalars()}
    assert components == {"JKK": 10_000, "JKM": 6_800}
    assert sum(components.values()) == 16_800


def test_loading_reference_data_again_changes_nothing(session):
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    assert load_reference_data(session, actor=Actor.system("test")) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_a_changed_shipped_value_is_updated_with_its_diff(session, monkeypatch):
    from workflows import reference

    monkeypatch.setitem(reference.UMK, 2026, (5_999_422, "koreksi uji"))
    assert load_reference_data(session, actor=Actor.system("test")) == 1
    event = session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    assert event.action == "reference.update" and event.entity_id == "2026"
    assert json.loads(event.diff) == {"amount": [5_999_443, 5_999_422],
                                      "legal_basis": ["Kepgub Jabar 561/Kep.862-Kesra/2025",
                                                      "koreksi uji"]}


def test_imports_point_one_way():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout
