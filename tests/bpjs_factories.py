"""Approved cases, registration batches and BPJS replies for the BPJS tests.

The programme year is that of the day the tests' clock reads (FIXTURE_DAY): the SK
comes before it, the batch is made on it and covers from the month after.
"""
import csv
import io
import itertools
from datetime import date

from models import Application
from tests.conftest_config import FIXTURE_DAY
from tests.factories import make_budget, make_verified
from workflows.approval import approve_batch
from workflows.bpjs.registration import create_registration_batch, mark_batch_sent
from workflows.bpjs.responses import import_bpjs_response

YEAR = FIXTURE_DAY.year
SK_DAY = date(YEAR, 7, 1)
BATCH_DAY = FIXTURE_DAY  # tanggal_mulai: 1 August
START = date(YEAR, 8, 1)
# The contract of design.md, written out here so a change in the code shows up as a failure.
CONTRACT = ["no_urut", "nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin",
            "alamat", "kode_kelurahan", "no_hp", "pekerjaan", "penghasilan_dilaporkan",
            "program", "tanggal_mulai", "kode_wadah"]
REPLY_HEADER = ["nik", "kpj", "status", "alasan", "tanggal_mulai"]
_sk = itertools.count(1)


def budget(session, staff, places: int = 10):
    return make_budget(session, staff["admin1"], year=YEAR, places=places)


def approved(session, staff, n: int, **worker_fields) -> list[Application]:
    """``n`` verified cases decided under one SK (some may land on its waiting list)."""
    cases = [make_verified(session, staff["cw1"], staff["cw2"], year=YEAR, **worker_fields)
             for _ in range(n)]
    approve_batch(session, fiscal_year=YEAR, application_ids=[a.id for a in cases],
                  sk_number=f"SK-BPJS-{next(_sk)}", sk_date=SK_DAY, actor=staff["head"])
    return [session.get(Application, a.id) for a in cases]


def new_batch(session, staff, user: str = "cw1"):
    return create_registration_batch(session, fiscal_year=YEAR, actor=staff[user],
                                     today=BATCH_DAY)


def sent_batch(session, staff):
    batch = new_batch(session, staff)
    mark_batch_sent(session, batch, actor=staff["cw1"])
    return batch


def kpj(n: int) -> str:
    return f"2{n:010d}"  # eleven digits, as BPJS usually writes them


def accepted(application, number: int, start: date = START) -> list[str]:
    return [application.worker.nik, kpj(number), "DITERIMA", "", start.isoformat()]


def rejected(application, reason: str = "NIK tidak padu dengan data Dukcapil") -> list[str]:
    return [application.worker.nik, "", "DITOLAK", reason, ""]


def reply_bytes(rows, header=REPLY_HEADER, *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode(encoding)


def import_reply(session, staff, data: bytes, *, user: str = "cw1",
                 file_name: str = "balasan-bpjs.csv"):
    return import_bpjs_response(session, io.BytesIO(data), file_name=file_name,
                                actor=staff[user])


def problems(run) -> list[dict]:
    return list(csv.DictReader(io.StringIO(run.error_report)))
