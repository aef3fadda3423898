"""The case page's part of an exit: the termination it posts, and the exit's facts and
refund lines it shows."""
from dataclasses import dataclass

from flask_babel import gettext as _, ngettext
from sqlalchemy.orm import Session

from caseapp.exits.forms import day_value, month_value
from models import Application, MembershipExit, RefundLine
from reports.formatting import rupiah
from workflows.actor import Actor
from workflows.exits import exit_of, terminate_membership
from workflows.refunds import lines_of


@dataclass(frozen=True)
class ExitFacts:
    facts: MembershipExit | None
    lines: list[RefundLine]

    @property
    def owed(self) -> int:
        return sum(line.amount for line in self.lines if line.status == "owed")

    @property
    def refunded(self) -> int:
        return sum(line.refunded_amount or 0 for line in self.lines)


def exit_facts(session: Session, application: Application) -> ExitFacts | None:
    """What the case page shows of an ended membership (None before it ended)."""
    if application.state != "terminated":
        return None
    return ExitFacts(exit_of(session, application.id), lines_of(session, application.id))


def terminate_posted(session: Session, application: Application, form, *, actor: Actor) -> int:
    """The termination form as posted (``exit_reason``, ``effective_month`` YYYY-MM,
    ``date_of_death`` YYYY-MM-DD, ``other_payer``, ``note``) given to the verb, which
    says what is missing for the reason chosen."""
    return terminate_membership(
        session, application, reason_code=form.get("exit_reason", ""),
        effective_month=month_value(form.get("effective_month")),
        date_of_death=day_value(form.get("date_of_death")),
        other_payer=form.get("other_payer") or None, note=form.get("note", ""), actor=actor)


def ended_message(session: Session, application_id: int, released: int) -> str:
    """The flash after an exit: what went back to the budget, what BPJS owes back."""
    text = _("The membership was ended.")
    if released:
        text += " " + _("%(amount)s of its commitment went back to the budget.",
                        amount=rupiah(released))
    owed = [line for line in lines_of(session, application_id) if line.status == "owed"]
    if owed:
        text += " " + ngettext(
            "%(num)d month was paid after the exit: BPJS owes %(amount)s back (refund ledger).",
            "%(num)d months were paid after the exit: BPJS owes %(amount)s back (refund "
            "ledger).", len(owed), amount=rupiah(sum(line.amount for line in owed)))
    return text
