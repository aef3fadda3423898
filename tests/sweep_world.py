"""A small world of real objects for the route sweep (tests/route_sweep.py): cases in
most states with everything hanging off them, made through the workflow verbs."""
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from models import Application, BudgetQuota, Decree, Job, User, Worker
from tests.bpjs_factories import YEAR, approved, import_reply, new_batch, rejected, reply_bytes
from tests.contribution_factories import bill_csv, matching_rows
from tests.factories import (add_documents, enrol, make_application, make_budget, make_submitted,
                             make_verified)
from workflows.audit import record_change
from workflows.bpjs.registration import mark_batch_sent
from workflows.contributions.generation import generate_contributions
from workflows.contributions.payment import record_payment
from workflows.contributions.reconciliation import reconcile
from workflows.imports.datasets import import_dtsen
from workflows.jobs import queue_job
from workflows.verification import return_application

STATES = {"draft", "submitted", "returned", "verified", "approved", "waitlisted",
          "submitted_to_bpjs", "bpjs_rejected", "enrolled"}  # of the world's applications
REASON = "Diperiksa ulang oleh petugas; dokumen tidak sesuai (uji)"
PURPOSE = "Pemeriksaan Inspektorat atas program BPU Pasal 90 (uji)"
TOKEN = "0123456789abcdef"


@dataclass
class World:
    """Ids of the objects the sweep acts on (others are found in the tables)."""

    by_state: dict[str, int] = field(default_factory=dict)  # application state -> id
    worker_niks: list[str] = field(default_factory=list)
    sent_nik: str = ""           # a case in a batch marked sent, awaiting BPJS's reply
    paid_batch_id: int = 0       # a paid, not yet reconciled payment batch
    decree_numbers: list[str] = field(default_factory=list)
    staff_ids: dict[str, int] = field(default_factory=dict)


def build_world(app, session, staff) -> World:
    """Applications in most states, documents, a duplicate flag, decrees (with a waiting
    list), registration batches (sent, prepared), a BPJS reply with a rejection, payment
    batches (reconciled, paid, generated), import runs (applied, rejected), a quota split,
    a report the auditor's job made and nobody fetched yet and, where the feature exists,
    data subject requests. All through the verbs (the report through the job runner)."""
    cw1, cw2 = staff["cw1"], staff["cw2"]
    make_budget(session, staff["admin1"], year=YEAR, places=4)
    (member,) = enrol(session, staff, 1)                               # 1 place, enrolled
    draft = make_application(session, cw1, year=YEAR)
    add_documents(session, draft, cw1)
    first = make_submitted(session, cw1, year=YEAR)
    make_submitted(session, cw1, year=YEAR, kk_number=first.worker.kk_number)  # flagged
    returned = make_submitted(session, cw1, year=YEAR)
    return_application(session, returned, actor=cw2, reason=REASON)
    make_verified(session, cw1, cw2, year=YEAR)
    sent, refused = approved(session, staff, 2)                        # 2 places
    mark_batch_sent(session, new_batch(session, staff), actor=cw1)
    import_reply(session, staff, reply_bytes([rejected(refused)]))     # place released
    approved(session, staff, 1)                                        # 1 place
    new_batch(session, staff)                                          # prepared batch
    approved(session, staff, 2)                  # the last place, and a waiting list
    import_reply(session, staff, reply_bytes([["3275019999999999", "", "DITERIMA", "", ""]]),
                 file_name="balasan-salah.csv")                        # rejected file
    import_dtsen(session, io.BytesIO(b"nik,no_kk,nama,tanggal_lahir,jenis_kelamin,"
                                     b"kode_kelurahan,desil\n123,456,X,kemarin,Q,1,99\n"),
                 file_name="dtsen-rusak.csv", as_of=date(YEAR, 1, 1), actor=cw1)  # rejected
    _bpjs_status(session, cw1)

    months = [generate_contributions(session, first_month=date(YEAR, m, 1), months=1,
                                     actor=cw1) for m in (2, 3, 4)]
    for number, batch in enumerate(months[:2], 1):
        record_payment(session, batch, sp2d_number=f"SP2D-SWEEP-{number}",
                       sp2d_date=date(YEAR, 2 + number, 10), invoice_number=f"INV-{number}",
                       actor=cw1)
    bill = [(nik, kpj, month, amount + 1, status)  # one difference: the amount
            for nik, kpj, month, amount, status in matching_rows(session, months[0])]
    reconcile(session, bill_csv(bill), file_name="tagihan.csv", batch=months[0], actor=cw1)

    split = BudgetQuota(fiscal_year=YEAR, dimension="category", key="pekerja_lepas", quota=2,
                        used=0)
    session.add(split)
    record_change(session, staff["admin1"], "admin.create.budget_quota", split, created=True)
    _subject_requests(session, staff, first.worker.nik)
    _complaints(session, staff, first)
    _claims(session, staff, member)
    _role_grant(session, staff)
    session.commit()
    _auditor_report(app, session, staff)

    world = World(sent_nik=sent.worker.nik, paid_batch_id=months[1].id)
    for state, app_id in session.execute(select(Application.state, Application.id)
                                         .order_by(Application.id)):
        world.by_state.setdefault(state, app_id)
    assert STATES <= set(world.by_state), f"the world lacks {STATES - set(world.by_state)}"
    world.worker_niks = list(session.scalars(select(Worker.nik).order_by(Worker.id)))
    world.decree_numbers = list(session.scalars(select(Decree.sk_number).order_by(Decree.id)))
    world.staff_ids = dict(session.execute(select(User.username, User.id)).all())
    return world


def _auditor_report(app, session, staff) -> None:
    """A programme report the auditor's job made, its file waiting to be downloaded."""
    from caseapp.jobs.runner import run_job
    from caseapp.reports.jobs import job_name, report_params
    from caseapp.reports.service import ROLES

    job = queue_job(session, job_name("program"), actor=staff["audit1"], roles=ROLES["program"],
                    params=report_params("xlsx", {"from": f"{YEAR}-01-01",
                                                  "to": f"{YEAR}-11-30"}, None))
    session.commit()
    with app.app_context():
        run_job(app, app.extensions["caseapp_jobs"].huey, job.id)
    session.expire_all()
    assert session.get(Job, job.id).output_file, "the world's report job made no file"


def _claims(session, staff, application) -> None:
    """A work accident of the enrolled participant, recorded with its KPJ card."""
    from tests.claim_factories import jkk_claim
    from tests.factories import DOCUMENT_DIR, png_bytes
    from workflows.claims import store_claim_document
    claim = jkk_claim(session, staff, application, date(YEAR, 6, 2))
    store_claim_document(session, claim, kind="kartu_kpj", original_name="kpj.png",
                         data=png_bytes(), storage_dir=DOCUMENT_DIR, actor=staff["cw1"])


def _complaints(session, staff, application) -> None:
    """An open complaint, an answered one and a closed one (issue 15)."""
    from workflows.complaints import answer_complaint, close_complaint, file_complaint

    made = [file_complaint(session, kind=kind, complainant_name="Warga Sapuan",
                           contact="081234567890", kelurahan_code="3275011001",
                           text="Tidak terdaftar padahal memenuhi syarat (uji)",
                           application_id=application.id, actor=staff["cw1"])
            for kind in ("pengaduan", "sanggahan", "sanggahan")]
    answer_complaint(session, made[1], answer="Dijawab (uji)", actor=staff["cw2"])
    answer_complaint(session, made[2], answer="Dijawab (uji)", actor=staff["cw2"])
    close_complaint(session, made[2], actor=staff["cw2"])


def _bpjs_status(session, cw1) -> None:
    """A rejected BPJS status file, with its problem report (issue 15)."""
    from workflows.membership.status_import import import_bpjs_status

    import_bpjs_status(session, io.BytesIO(b"nik,kpj,status,dibayar_sampai\n123,X,AKTIV,13\n"),
                       file_name="status-rusak.csv", as_of=date(YEAR, 1, 1), actor=cw1)


def _role_grant(session, staff) -> None:
    """A role the admin proposed, waiting for a head's confirmation."""
    from workflows.role_grants import request

    request(session, session.get(User, staff["cw2"].user_id), "head", actor=staff["admin1"])


def _subject_requests(session, staff, nik: str) -> None:
    """An open access request and a refused correction, once the feature exists."""
    try:
        from workflows.subject_requests import record_request, resolve_request
    except ImportError:
        return
    record_request(session, nik=nik, kind="access", requester_name="Pemohon Uji",
                   channel="counter", description=None, actor=staff["cw1"])
    refused = record_request(session, nik=nik, kind="correction", requester_name="Pemohon Uji",
                             channel="letter", description="Alamat salah", actor=staff["cw1"])
    resolve_request(session, refused, outcome="refused", note=REASON, actor=staff["cw1"])
