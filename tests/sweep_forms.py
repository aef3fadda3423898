"""Form data for the route sweep: a plan per known write route, generic data for an
unknown one, and Flask-Admin model forms filled from an existing row."""
from datetime import date, datetime

from sqlalchemy import inspect as sa_inspect

from tests.bpjs_factories import YEAR, reply_bytes
from tests.contribution_factories import bill_csv, matching_rows
from tests.factories import PASSWORD, png_bytes
from tests.sweep_world import PURPOSE, REASON, TOKEN, World


class FileValue(tuple):
    """(bytes, file name) of an upload."""


def upload(data: bytes, name: str) -> FileValue:
    return FileValue((data, name))


NEW_PASSWORD = "Audit-Sandi-Baru-2026"


def generic_form(world: World) -> dict:
    """What an unknown write route is sent: the field names our forms use, plausibly."""
    return {"reason": REASON, "note": REASON, "purpose": PURPOSE, "year": str(YEAR),
            "month": f"{YEAR}-06", "months": "1", "format": "xlsx", "confirm": "y",
            "nik": world.worker_niks[0], "sk_number": "SK-SWEEP-GENERIK",
            "sk_date": f"{YEAR}-11-20", "token": TOKEN, "file": upload(png_bytes(), "bukti.png")}


def _intake(world, args):
    return {"nik": "3275010108900777", "kk_number": "3275010101999777",
            "full_name": "Pekerja Sapuan", "birth_place": "Bekasi", "birth_date": "1990-08-01",
            "sex": "L", "address": "Jl. Uji 2", "rt": "001", "rw": "002",
            "kelurahan_code": "3275011001", "phone": "081234567890", "category": "pedagang",
            "occupation": "PKL", "monthly_income": "2000000", "intake_channel": "walk_in",
            "program_year": str(YEAR)}


def _import_file(world, args):
    kind = args.get("kind")
    nik = "3275010108900888"
    files = {
        "dtsen": "nik,no_kk,nama,tanggal_lahir,jenis_kelamin,kode_kelurahan,desil\n"
                 f"{nik},3275010101999888,Warga Sapuan,1990-08-01,L,3275011001,2\n",
        "participants": f"nik,nama,sumber\n{nik},Warga Sapuan,MANDIRI\n",
        "intake": "nik,no_kk,nama,tempat_lahir,tanggal_lahir,jenis_kelamin,alamat,rt,rw,"
                  "kode_kelurahan,no_hp,kategori,pekerjaan,penghasilan_bulanan\n"
                  f"{nik},3275010101999888,Warga Sapuan,Bekasi,1990-08-01,L,Jl. Uji,001,002,"
                  "3275011001,081234567890,pedagang,PKL,2000000\n"}
    body = files.get(kind, files["dtsen"])
    return {"file": upload(body.encode(), f"{kind}.csv"), "token": TOKEN, "year": str(YEAR),
            "as_of": f"{YEAR}-11-01", "channel": "kelurahan"}


def _report(world, args):
    return {"format": "pdf" if args.get("kind") == "case" else "xlsx", "purpose": PURPOSE,
            "from": f"{YEAR}-01-01", "to": f"{YEAR}-11-30", "year": str(YEAR),
            "sk_number": world.decree_numbers[0],
            "application_id": str(world.by_state["enrolled"]),
            "semester": f"{YEAR}-S2"}  # the city's Inpres 2/2021 table (city_inpres)


def _reconcile(world, args, session):
    from models import PaymentBatch
    batch = session.get(PaymentBatch, world.paid_batch_id)
    return {"file": upload(bill_csv(matching_rows(session, batch)).getvalue(), "tagihan.csv"),
            "token": TOKEN}


PLANS = {
    "cases.intake": _intake,
    "cases.submit": lambda w, a: {},
    "cases.verify": lambda w, a: {},
    "cases.return_for_correction": lambda w, a: {"reason": REASON},
    "cases.reject": lambda w, a: {"reason": REASON},
    "cases.decline": lambda w, a: {"reason": REASON},
    "cases.send_back": lambda w, a: {"reason": REASON},
    "cases.reevaluate": lambda w, a: {"reason": REASON},
    "cases.worker_correction": lambda w, a: {"address": "Jl. Sapuan 9", "reason": REASON},
    "cases.terminate": lambda w, a: {"exit_reason": "meninggal", "note": REASON,
                                     "date_of_death": f"{YEAR}-11-20",
                                     "effective_month": f"{YEAR}-12"},
    "refunds.refund": lambda w, a: {"amount": "16.800", "received_on": f"{YEAR}-11-20",
                                    "bpjs_reference": "BPJS-REF-SWEEP"},
    "refunds.export": lambda w, a: {"purpose": PURPOSE},
    "desil_exits.end": lambda w, a: {"application_id": [str(w.by_state["enrolled"])],
                                     "effective_month": f"{YEAR}-12", "note": REASON},
    "cases.resolve": lambda w, a: {"resolution": "not_duplicate", "note": REASON},
    "cases.upload": lambda w, a: {"file-lainnya": upload(png_bytes(), "lain.png")},
    "cases.download": lambda w, a: {"purpose": PURPOSE},
    "cases.receipt": lambda w, a: {},
    "cases.letter": lambda w, a: {},
    "approval.propose": lambda w, a: {"year": str(YEAR),
                                      "application_id": [str(w.by_state["verified"])]},
    "approval.sign": lambda w, a: {"sk_number": "SK-SWEEP-AUDIT", "sk_date": f"{YEAR}-11-20"},
    "approval.withdraw": lambda w, a: {"reason": REASON},
    "approval.carry_over": lambda w, a: {"from_year": str(YEAR)},
    "budget.close": lambda w, a: {"year": str(YEAR)},
    "renewal.recheck": lambda w, a: {"year": str(YEAR + 1)},
    "renewal.end": lambda w, a: {"year": str(YEAR + 1), "exit_reason": "akhir_tahun_program",
                                 "note": REASON},
    "bpjs.create": lambda w, a: {"year": str(YEAR)},
    "bpjs.sent": lambda w, a: {},
    "bpjs.cancel": lambda w, a: {"reason": REASON},
    "bpjs.download": lambda w, a: {"purpose": PURPOSE},
    "bpjs.report": lambda w, a: {"purpose": PURPOSE},
    "bpjs.upload": lambda w, a: {"token": TOKEN, "file": upload(reply_bytes(
        [[w.sent_nik, "26000009999", "DITERIMA", "", f"{YEAR}-08-01"]]), "balasan.csv")},
    "contributions_page.generate": lambda w, a: {"month": f"{YEAR}-06", "months": "1"},
    "contributions_page.pay": lambda w, a: {"sp2d_number": "SP2D-SWEEP-AUDIT",
                                            "sp2d_date": f"{YEAR}-11-20",
                                            "invoice_number": "INV-SWEEP-AUDIT"},
    "contributions_page.report": lambda w, a: {"purpose": PURPOSE},
    "membership.upload": lambda w, a: {"token": TOKEN, "as_of": f"{YEAR}-01-15", "file": upload(
        f"nik,kpj,status,dibayar_sampai\n{w.worker_niks[0]},26000000001,AKTIF,{YEAR}-01\n"
        .encode(), "status-bpjs.csv")},
    "membership.export": lambda w, a: {"purpose": PURPOSE, "format": "csv"},
    "membership.report": lambda w, a: {"purpose": PURPOSE},
    "imports.upload": _import_file,
    "imports.report": lambda w, a: {"purpose": PURPOSE},
    "imports.decide": lambda w, a: {"decision": "partial"},
    "reports.generate": _report,
    "jobs.download": lambda w, a: {},
    "privacy.record": lambda w, a: {"nik": w.worker_niks[0], "kind": "correction",
                                    "requester_name": "Pemohon Sapuan", "channel": "counter",
                                    "description": "Nama salah eja"},
    "privacy.resolve": lambda w, a: {"outcome": "fulfilled", "note": REASON, "confirm": "y"},
    "privacy.export": lambda w, a: {},
    "claims.new": lambda w, a: {"kind": "jkk", "event_date": f"{YEAR}-06-02",
                                "event_time": "10:00", "description": "Terjatuh"},
    "claims.upload": lambda w, a: {"kind": "kartu_kpj", "file": upload(png_bytes(), "kpj.png")},
    "claims.submit": lambda w, a: {"confirm": "y"},
    "claims.pay": lambda w, a: {"amount": "42000000", "paid_on": f"{YEAR}-07-01",
                                "reference": "BPJS-SWEEP", "confirm": "y"},
    "claims.reject": lambda w, a: {"reason": REASON, "confirm": "y"},
    "claims.letter": lambda w, a: {},
    "complaints.new": lambda w, a: {"kind": "pengaduan", "complainant_name": "Warga Sapuan",
                                    "contact": "081234567890", "kelurahan_code": "3275011001",
                                    "text": "Tidak terdaftar (uji)", "received_on": ""},
    "complaints.answer": lambda w, a: {"answer": REASON, "confirm": "y"},
    "complaints.close": lambda w, a: {},
    "audit.worker_lookup": lambda w, a: {"worker": w.worker_niks[0]},
    "audit.evidence_pack": lambda w, a: {"application_id": str(w.by_state["enrolled"]),
                                         "purpose": PURPOSE},
    "audit.verify": lambda w, a: {},
    "auth.login": lambda w, a: {"username": "audit1", "password": PASSWORD},
    "auth.logout": lambda w, a: {},
    "auth.password": lambda w, a: {"current": PASSWORD, "new": NEW_PASSWORD,
                                   "confirm": NEW_PASSWORD},
    "i18n.switch_language": lambda w, a: {"lang": "en", "next": "/"},
    "notices.consent": lambda w, a: {"channel": "sms", "phone": "081234567899"},
    "notices.withdraw": lambda w, a: {},
    "notices.retry": lambda w, a: {},
}
SESSION_PLANS = {"contributions_page.reconcile": _reconcile}


def first_row(session, model):
    from sqlalchemy import select
    return session.execute(select(model).order_by(*sa_inspect(model).primary_key)
                           .limit(1)).scalars().first()


def _field_value(field, value):
    """A model attribute as the form would post it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "y" if value else None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_field_value(field, v) for v in value]
    if hasattr(value, "__table__"):
        return str(sa_inspect(value).identity[0])
    return str(value)


def model_form(app, view, row, *, create: bool) -> dict:
    """The view's create or edit form filled from ``row`` with one value changed, so a
    role allowed to write would really change something."""
    form_class = view._create_form_class if create else view._edit_form_class
    with app.test_request_context():
        form = form_class(meta={"csrf": False})
        data, changed = {}, False
        for form_field in form:
            value = getattr(row, form_field.name, None) if row is not None else None
            if form_field.type == "PasswordField":
                data[form_field.name] = NEW_PASSWORD
                continue
            if value is None and "Select" in form_field.type:
                choices = [c[0] for c in form_field.iter_choices() if c[0] not in ("", "__None")]
                if choices:
                    value = choices[:1] if "Multiple" in form_field.type else choices[0]
            if (not changed and isinstance(value, int) and not isinstance(value, bool)
                    and form_field.type == "IntegerField"
                    and form_field.name not in _key_names(view)):
                value, changed = value + 1, True
            posted = _field_value(form_field, value)
            if posted is not None:
                data[form_field.name] = posted
        if not changed:  # no number to change: a text field then
            for form_field in form:
                if form_field.type in ("StringField", "TextAreaField") and \
                        data.get(form_field.name) and form_field.name not in _key_names(view):
                    data[form_field.name] += " (uji)"
                    break
    if create and row is not None:
        for name in _key_names(view):
            if isinstance(getattr(row, name, None), int) and name in data:
                data[name] = str(getattr(row, name) + 1000)
    return data


def _key_names(view) -> set[str]:
    return {c.key for c in sa_inspect(view.model).primary_key}
