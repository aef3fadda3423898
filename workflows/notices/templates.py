"""The texts sent to workers, in Bahasa Indonesia, one per stage, versioned.

A template is never edited once notices name it: a changed text is a new code
(``received.v2``) and the stage points at it, so every stored notice can say which
text it was. Texts stay short enough for one SMS (160 characters with a first
name of up to 12 letters) and carry the application number, the first name and, for the card, the
KPJ; never a NIK or a KK number (UU PDP data minimisation: an SMS can be read by
anyone holding the phone). :func:`render` refuses a text holding 16 digits in a row.

Continuing as a self-payer follows domain.md §1.7 (BPJS Perisai FAQ): a BPU
participant continues by paying with their NIK through BPJS partner channels, and
checks status by NIK in JMO or call centre 175.
"""
import re
from dataclasses import dataclass

from models.notice import NOTICE_STAGES

SENDER = "Disnaker Kota Bekasi"


@dataclass(frozen=True)
class Template:
    code: str
    stage: str
    text: str  # str.format fields: name, number, and kpj / month where the stage has them


TEMPLATES = {t.code: t for t in (
    Template("received.v1", "received",
             "{sender}: Yth. {name}, permohonan no. {number} untuk BPJS Ketenagakerjaan "
             "yang dibayar Pemkot Bekasi sudah diterima dan sedang diperiksa."),
    Template("approved.v1", "approved",
             "{sender}: Yth. {name}, permohonan no. {number} disetujui. Iuran BPJS "
             "Ketenagakerjaan Anda dibayar Pemkot Bekasi."),
    Template("kpj_issued.v1", "kpj_issued",
             "{sender}: Yth. {name}, kartu peserta BPJS Ketenagakerjaan Anda terbit. "
             "No. KPJ {kpj} (permohonan no. {number})."),
    Template("lapse_risk.v1", "lapse_risk",
             "{sender}: Yth. {name}, iuran BPJS Ketenagakerjaan Anda (no. {number}) "
             "tertunggak; kepesertaan bisa nonaktif. Disnaker sedang mengurusnya."),
    Template("ended.v1", "ended",
             "{sender}: Yth. {name}, kepesertaan BPJS Ketenagakerjaan yang dibayar Pemkot "
             "Bekasi (no. {number}) berakhir mulai {month}."),
    Template("continue_self_payer.v1", "continue_self_payer",
             "{sender}: Yth. {name}, iuran Pemkot (no. {number}) berakhir {month}. Lanjut "
             "mandiri: bayar iuran pakai NIK di kanal mitra BPJS TK/JMO."),
)}
# The template each stage uses now.
CURRENT = {stage: f"{stage}.v1" for stage in NOTICE_STAGES}
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
_LONG_NUMBER = re.compile(r"\d{16}")
# Runs of digits in a value that may be joined into the text (a name typed with a NIK).
_DIGITS = re.compile(r"\d{5,}")


class UnsafeText(ValueError):
    """A rendered text that would carry a NIK-like number; it is never sent."""


def first_name(full_name: str) -> str:
    """The first word of the name, without numbers; the rest stays out of the SMS."""
    words = _DIGITS.sub("", full_name or "").split()
    return words[0][:30] if words else "Bapak/Ibu"


def month_name(month) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}" if month else "-"


def render(code: str, *, full_name: str, application_id: int, kpj: str | None = None,
           month=None) -> str:
    """The text of template ``code`` for one worker."""
    text = TEMPLATES[code].text.format(sender=SENDER, name=first_name(full_name),
                                       number=application_id, kpj=kpj or "-",
                                       month=month_name(month))
    if _LONG_NUMBER.search(text):
        raise UnsafeText(code)
    return text
