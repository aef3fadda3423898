"""The annex (lampiran) of a decree: its frozen lists, exactly as signed.

The lists come from the decree's snapshot (canonical JSON), never from the
current state of the cases, and the snapshot's SHA-256 is recomputed so the annex
says whether what it prints is what was signed. The rows are planned into pages
here (see reports.pdf.strips) so that 10,000 names render in bounded time.
"""
import hashlib
import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import BudgetLedger, Decree, User
from reports.formatting import rupiah
from reports.pdf.strips import Column, Page, Section, chunk_pages, plan_pages

CATEGORY_LETTERS = {"pedagang": "a", "pekerja_lepas": "b", "wiraswasta": "c",
                    "rentan_lainnya": "d"}
# A4 landscape, margins 15 mm top / 17 mm bottom: 504 pt of content = 50 lines of 10 pt;
# one is kept in hand for borders.
LINES_PER_PAGE = 49
COVER_LINES = 23  # letterhead (58 pt) and the decree's particulars
TRAILER_LINES = 16
PAGES_PER_CHUNK = 8


@dataclass
class DecreeAnnex:
    decree: Decree
    approver: str
    recomputed_sha256: str
    approved_count: int
    reserve_count: int
    pages: list[Page]

    @property
    def intact(self) -> bool:
        return self.recomputed_sha256 == self.decree.snapshot_sha256

    @property
    def total_pages(self) -> int:
        return len(self.pages)

    def chunks(self, pages_per_chunk: int = PAGES_PER_CHUNK) -> list[list[Page]]:
        return chunk_pages(self.pages, pages_per_chunk)


def find_decree(session: Session, number: str) -> Decree | None:
    """By the signed decree's SK number, or by the proposal's number."""
    number = (number or "").strip()
    return session.execute(select(Decree).where(
        (Decree.sk_number == number) | (Decree.proposal_number == number))).scalar_one_or_none()


def decree_lists(session: Session, decree: Decree) -> dict:
    """The frozen lists, each approved entry with the commitment the signed decree made
    (from the ledger; proposals frozen before signing carry none of their own)."""
    lists = json.loads(decree.snapshot)
    committed = dict(session.execute(
        select(BudgetLedger.application_id, BudgetLedger.amount).where(
            BudgetLedger.decree_id == decree.id, BudgetLedger.kind == "commit")).all())
    for entry in lists["approved"]:
        entry.setdefault("commitment", committed.get(entry["application"]))
    return lists


def _columns(with_commitment: bool) -> list[Column]:
    reason_width = 192 if with_commitment else 264
    columns = [Column("rank", _("No."), 30, "right"),
               Column("application", _("Application"), 64, "right"),
               Column("nik", "NIK", 88),
               Column("name", _("Name"), 196),
               Column("kelurahan", _("Kelurahan"), 100),
               Column("category", _("Cat."), 30),
               Column("reason", _("Basis of the rank"), reason_width)]
    if with_commitment:
        columns.append(Column("commitment", _("Commitment"), 72, "right"))
    return columns


def snapshot_rows(entries: list[dict], with_commitment: bool):
    for entry in entries:
        row = [entry["rank"], f"#{entry['application']}", entry["nik"], entry["name"],
               entry["kelurahan"], CATEGORY_LETTERS.get(entry["category"], entry["category"]),
               entry["reason"]]
        yield row + [rupiah(entry.get("commitment"))] if with_commitment else row


def build_annex(session: Session, decree: Decree) -> DecreeAnnex:
    approver = session.scalar(select(User.full_name).where(
        User.id == (decree.approved_by_id or decree.proposed_by_id)))
    lists = decree_lists(session, decree)
    sections = [
        Section(_("A. Workers approved as participants, in rank order"), _columns(True),
                snapshot_rows(lists["approved"], True), _("none")),
        Section(_("B. Waiting list (reserve), in the order they move up"),
                _columns(False), snapshot_rows(lists["reserve"], False), _("none")),
    ]
    pages = plan_pages(sections, lines_per_page=LINES_PER_PAGE,
                       first_page_lines=LINES_PER_PAGE - COVER_LINES,
                       trailer_lines=TRAILER_LINES)
    recomputed = hashlib.sha256(decree.snapshot.encode("utf-8")).hexdigest()
    return DecreeAnnex(decree=decree, approver=approver or "-", recomputed_sha256=recomputed,
                       approved_count=len(lists["approved"]), reserve_count=len(lists["reserve"]),
                       pages=pages)
