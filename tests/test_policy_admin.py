"""Policy versions and document types are admin settings, audited, and a version
already used by an evaluation is frozen."""
import json

import pytest
from sqlalchemy import select

from models import AuditEvent, DocumentType, PolicyVersion
from tests.factories import add_documents, make_application, make_submitted
from tests.helpers import csrf_token, login
from workflows.errors import InvalidTransition
from workflows.verification import submit_application

POLICY_FORM = {"name": "Perwal 2027", "legal_basis": "Perwal Kota Bekasi Nomor X Tahun 2026",
               "effective_from": "2027-01-01", "effective_to": "", "categories": "pedagang",
               "min_age": "18", "max_age": "60", "income_cap": "", "max_desil": "4",
               "require_data_aktual": "y", "one_per_kk": "y", "exclude_other_payers": "y"}


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/policy/")})


def test_admin_adds_a_policy_version_with_its_legal_basis(client, session):
    login(client, "admin1")
    assert _post(client, "/policy/new/", POLICY_FORM).status_code == 302
    policy = session.execute(select(PolicyVersion).where(
        PolicyVersion.name == "Perwal 2027")).scalar_one()
    assert policy.max_desil == 4 and policy.income_cap is None
    event = session.execute(select(AuditEvent).where(
        AuditEvent.action == "admin.create.policy_version")).scalar_one()
    assert json.loads(event.diff)["legal_basis"][1].startswith("Perwal Kota Bekasi")


def test_unknown_category_is_refused_and_nothing_saved(client, session):
    login(client, "admin1")
    response = _post(client, "/policy/new/", {**POLICY_FORM, "categories": "pedagang,pns"})
    assert response.status_code == 200
    assert session.execute(select(PolicyVersion).where(
        PolicyVersion.name == "Perwal 2027")).first() is None


def test_a_version_used_by_an_evaluation_cannot_be_edited(client, session, staff):
    make_submitted(session, staff["cw1"])
    session.commit()
    policy = session.execute(select(PolicyVersion)).scalar_one()
    login(client, "admin1")
    data = {**POLICY_FORM, "name": policy.name, "effective_from": "2025-11-05",
            "categories": policy.categories, "max_desil": "3"}
    response = _post(client, f"/policy/edit/?id={policy.id}", data)
    assert "tidak dapat diubah" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(PolicyVersion, policy.id).max_desil == 5


def test_document_list_is_configurable(session, staff):
    session.get(DocumentType, "lainnya").required = True
    application = make_application(session, staff["cw1"])
    add_documents(session, application, staff["cw1"])
    with pytest.raises(InvalidTransition) as refused:
        submit_application(session, application, actor=staff["cw1"])
    assert "Dokumen pendukung lain" in str(refused.value.message)
