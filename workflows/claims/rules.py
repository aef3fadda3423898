"""When a claim may be recorded: the event inside covered membership, and whether a
work accident was reported in time.

Reporting deadline: PP 44/2015 (JKK and JKM) has the employer report a work accident
to BPJS Ketenagakerjaan within 2 x 24 hours of it (laporan tahap I); Permenaker 5/2021
(the procedures of JKK, JKM and JHT, domain.md §1.1) applies the same to participants
outside wage employment reported through their wadah, here Disnaker. BPJS still
processes a late report, so a late one is recorded with the reason why, never refused.

Cover: a city-paid membership covers from ``coverage_start`` (BPJS's tanggal_mulai) up
to the exit month (the first month no longer paid, workflows.exits), within the
programme year of the application (the next year is a renewal application of its own),
and not in a month whose contribution fell into arrears (domain.md §1.7: protection
lapses with unpaid months). A death ends the membership in the month it happens, so
that month is still covered however the exit month was set.
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Application, ContributionMonth, MembershipExit, clock
from models.clock import JAKARTA
from reports.contributions import add_months
from workflows.errors import InvalidInput, InvalidTransition
from workflows.messages import lazy_gettext as _l

REPORT_WITHIN = timedelta(hours=2 * 24)
DEATH = "meninggal"


def accident_moment(day: date, at: time) -> datetime:
    """The accident as a moment: the date and the wall-clock time in Kota Bekasi (WIB)."""
    return datetime.combine(day, at, JAKARTA)


def reported_late(day: date, at: time, reported_at: datetime) -> bool:
    """More than 2 x 24 hours between the accident and its report (exactly 48 hours is on
    time)."""
    return reported_at - accident_moment(day, at) > REPORT_WITHIN


def date_of_death(session: Session, application: Application) -> date | None:
    """The date of death recorded with the exit (None for other exits, or older ones)."""
    return session.scalar(select(MembershipExit.date_of_death).where(
        MembershipExit.application_id == application.id))


def cover_end(session: Session, application: Application) -> date | None:
    """The first day no longer covered for an ended membership; None while it lasts."""
    if application.state != "terminated" or application.exit_month is None:
        return None
    if application.exit_reason == DEATH:
        died = date_of_death(session, application)
        return died + timedelta(days=1) if died else add_months(application.exit_month, 1)
    return application.exit_month


def death_recorded(application: Application) -> bool:
    return application.state == "terminated" and application.exit_reason == DEATH


def check_covered(session: Session, application: Application, event_date: date) -> None:
    """Refuse an event outside the participant's cover, saying which bound it misses."""
    if application.coverage_start is None or not application.kpj:
        raise InvalidTransition(_l("Application %(id)s was never enrolled with BPJS "
                                   "Ketenagakerjaan (no KPJ): there is no cover to claim "
                                   "under.", id=application.id))
    if event_date > clock.today():
        raise InvalidInput(_l("The date of the event cannot be in the future."))
    if event_date < application.coverage_start:
        raise InvalidInput(_l("The event (%(day)s) is before the cover started (%(start)s).",
                              day=event_date.isoformat(),
                              start=application.coverage_start.isoformat()))
    if event_date.year != application.program_year:
        raise InvalidInput(_l("The event (%(day)s) is outside programme year %(year)d of this "
                              "application; record it on the application of its own year.",
                              day=event_date.isoformat(), year=application.program_year))
    end = cover_end(session, application)
    if end is not None and event_date >= end:
        raise InvalidInput(_l("The event (%(day)s) is after the membership ended (%(end)s is "
                              "no longer covered).", day=event_date.isoformat(),
                              end=end.isoformat()))
    status = session.scalar(select(ContributionMonth.status).where(
        ContributionMonth.application_id == application.id,
        ContributionMonth.month == event_date.replace(day=1)))
    if status == "arrears":
        raise InvalidInput(_l("The contribution for %(month)s was in arrears (unpaid), so "
                              "the month was not covered.", month=f"{event_date:%Y-%m}"))
