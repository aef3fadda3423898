"""The audit log as the auditor workspace reads it: event search, one entity's history,
who accessed a worker, the events of one case, the last signed checkpoint.

The table can hold tens of millions of rows, so pages are keyset-paged by seq (no OFFSET,
no COUNT) and each filter maps onto an index (migration 0026): actor to ``actor_id`` when
the name is an account's, entity to ``(entity_type, entity_id)``, an action (or each one a
prefix spans) to ``(action, seq)``, walked newest first, dates to a seq range found on
``occurred_at``, free text to a trigram index on PostgreSQL. A page then reads about its own
rows, also when the matching events are all old; the walk down the primary key is left
for filters most events match, where it fills a page at once.
"""
import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from models import (Application, AuditCheckpoint, AuditEvent, ContributionMonth,
                    DataSubjectRequest, Decree, Document, DuplicateFlag, ImportRun,
                    RegistrationItem, User, Worker)
from models.audit import READ_MARK, SEARCHED_TEXT
from reports.meta import PERSONAL_DATA
from reports.period import Period

PAGE_SIZE = 50
# Shared records that list workers, and the actions that read that list: the decree page
# and its annex, the BPJS registration file, an import's problem report (it quotes the
# rows), the contribution reconciliation report. Their other events are not about a worker.
LIST_READS = {"decree": ("decree.view", "report.generate", "report.download"),
              "registration_batch": ("bpjs.batch_download",),
              "import_run": ("import.report_download",),
              "payment_batch": ("contributions.report_download",)}
# A refused or denied try (caseapp/refusals.py): nothing was read or changed.
ATTEMPT_SUFFIXES = (".refused", ".denied")
# Actions that always read personal data, for reads recorded before they carried READ_MARK.
READ_ACTIONS = frozenset({"document.read", "bpjs.batch_download"})
# Report events say which report in their diff; only some reports hold personal data.
REPORT_ACTIONS = frozenset({"report.generate", "report.download"})
# Events are stamped while the chain head is locked, so their time follows seq but for
# app servers' clocks disagreeing; a date filter trusts the order to within this.
CLOCK_SKEW = timedelta(hours=1)
# Actions an action prefix is read as, one index walk each, at most (search_events).
MAX_ACTION_BRANCHES = 30
# The columns the free-text filter searches (the page says so); SEARCHED_TEXT joins them.
TEXT_COLUMNS = (AuditEvent.action, AuditEvent.actor_name, AuditEvent.entity_id,
                AuditEvent.reason, AuditEvent.diff)


@dataclass(frozen=True)
class EventFilter:
    actor: str | None = None
    role: str | None = None     # one the actor held (actor_roles: "caseworker,head")
    action: str | None = None
    action_exact: bool = False
    entity_type: str | None = None
    entity_id: str | None = None
    since: date | None = None   # calendar days in Kota Bekasi (WIB), inclusive
    until: date | None = None
    text: str | None = None


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    next_after: int | None   # the seq to continue after; None on the last page


def _cut(events: list[AuditEvent], page_size: int) -> Page:
    """A page of the first ``page_size`` of one more than that."""
    more = len(events) > page_size
    events = events[:page_size]
    return Page(events, events[-1].seq if more else None)


def _page(session: Session, stmt, *, after: int | None, newest_first: bool,
          page_size: int) -> Page:
    if after is not None:
        stmt = stmt.where(AuditEvent.seq < after if newest_first else AuditEvent.seq > after)
    order = AuditEvent.seq.desc() if newest_first else AuditEvent.seq.asc()
    return _cut(list(session.execute(stmt.order_by(order).limit(page_size + 1)).scalars()),
                page_size)


def _by_action(session: Session, stmt, actions: list[str], *, after: int | None,
               page_size: int) -> Page:
    """Newest first, the events of ``stmt`` with one of these actions: each action's
    newest page walked down the (action, seq) index, then the few merged by seq. The
    action is matched as a range of one (``>= a AND <= a``) and ordered by (action, seq),
    so no plan but that index yields the order: with ``= a`` PostgreSQL may walk the
    whole primary key instead, costing it as if the action's events were spread evenly
    through the log when they are all old."""
    if after is not None:
        stmt = stmt.where(AuditEvent.seq < after)
    branches = [stmt.where(AuditEvent.action >= action, AuditEvent.action <= action)
                .order_by(AuditEvent.action.desc(), AuditEvent.seq.desc())
                .limit(page_size + 1).subquery().select() for action in actions]
    if not branches:
        return Page([], None)
    merged = aliased(AuditEvent, union_all(*branches).subquery())
    return _cut(list(session.scalars(select(merged).order_by(merged.seq.desc())
                                      .limit(page_size + 1))), page_size)


def _actor_condition(session: Session, name: str):
    """An account's events by its id (indexed); system and anonymous actors by name."""
    user_id = session.scalar(select(User.id).where(User.username == name))
    return AuditEvent.actor_name == name if user_id is None else AuditEvent.actor_id == user_id


def _seq_window(session: Session, since: date | None, until: date | None) -> list:
    """The events of these WIB days: their times, and the seq range holding them, found
    by a probe of the occurred_at index at each end: the events logged before the latest
    one stamped over CLOCK_SKEW before the first day all happened before that day, those
    logged after the earliest stamped CLOCK_SKEW or more after the last day all after it.
    So a page walks seq down from the range's end, not the log's, and a day long ago costs
    what yesterday does."""
    conditions = []
    if since:
        start = Period(since, since).start
        before = session.scalar(select(AuditEvent.seq).where(
            AuditEvent.occurred_at < start - CLOCK_SKEW)
            .order_by(AuditEvent.occurred_at.desc()).limit(1))
        conditions += [AuditEvent.occurred_at >= start,
                       *([] if before is None else [AuditEvent.seq > before])]
    if until:
        end = Period(until, until).end
        beyond = session.scalar(select(AuditEvent.seq).where(
            AuditEvent.occurred_at >= end + CLOCK_SKEW)
            .order_by(AuditEvent.occurred_at).limit(1))
        conditions += [AuditEvent.occurred_at < end,
                       *([] if beyond is None else [AuditEvent.seq < beyond])]
    return conditions


def _actions(session: Session) -> list[str]:
    """Every action the log holds, by a skip scan of its (action, seq) index: one probe
    per action (a hundred or so), not a read of the rows."""
    actions = select(func.min(AuditEvent.action).label("action")).cte(recursive=True)
    actions = actions.union_all(select(
        select(func.min(AuditEvent.action)).where(AuditEvent.action > actions.c.action)
        .scalar_subquery()).where(actions.c.action.is_not(None)))
    return list(session.scalars(select(actions.c.action).where(actions.c.action.is_not(None))))


def _text_condition(session: Session, text: str):
    """ILIKE '%text%' on any of TEXT_COLUMNS: on PostgreSQL on SEARCHED_TEXT, which its
    trigram index serves (terms of 3 characters or more; see the form)."""
    if session.get_bind().dialect.name == "postgresql":
        return SEARCHED_TEXT.icontains(text, autoescape=True)
    return or_(*(column.icontains(text, autoescape=True) for column in TEXT_COLUMNS))


def search_events(session: Session, filters: EventFilter, *, after: int | None = None,
                  page_size: int = PAGE_SIZE) -> Page:
    """Newest first. An action, or each one a prefix spans, is read by _by_action; a
    prefix spanning more than MAX_ACTION_BRANCHES is common, and the walk down seq soon
    fills a page."""
    stmt = select(AuditEvent)
    if filters.actor:
        stmt = stmt.where(_actor_condition(session, filters.actor))
    if filters.role:
        stmt = stmt.where(("," + AuditEvent.actor_roles + ",").contains(
            f",{filters.role},", autoescape=True))
    if filters.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id:
        stmt = stmt.where(AuditEvent.entity_id == filters.entity_id)
    stmt = stmt.where(*_seq_window(session, filters.since, filters.until))
    if filters.text:
        stmt = stmt.where(_text_condition(session, filters.text))
    if not filters.action:
        return _page(session, stmt, after=after, newest_first=True, page_size=page_size)
    actions = [filters.action] if filters.action_exact else [
        action for action in _actions(session) if action.startswith(filters.action)]
    if len(actions) > MAX_ACTION_BRANCHES:
        return _page(session, stmt.where(AuditEvent.action.in_(actions)), after=after,
                     newest_first=True, page_size=page_size)
    return _by_action(session, stmt, actions, after=after, page_size=page_size)


def entity_history(session: Session, entity_type: str, entity_id: str, *,
                   after: int | None = None, page_size: int = PAGE_SIZE) -> Page:
    """Oldest first, as the entity lived."""
    stmt = select(AuditEvent).where(AuditEvent.entity_type == entity_type,
                                    AuditEvent.entity_id == entity_id)
    return _page(session, stmt, after=after, newest_first=False, page_size=page_size)


def _ids(session: Session, stmt) -> list[int]:
    return sorted({value for value in session.execute(stmt).scalars() if value is not None})


def _on(entity_type: str, ids: list[int], *extra):
    return and_(AuditEvent.entity_type == entity_type,
                AuditEvent.entity_id.in_([str(i) for i in ids]), *extra)


def _events_on(records: dict[str, list[int]]):
    """Every event on the worker's own records; on the shared ones that list them (see
    LIST_READS) only the reads of their list and the refused or denied attempts."""
    conditions = []
    for entity_type, ids in records.items():
        if not ids:
            continue
        actions = LIST_READS.get(entity_type)
        conditions.append(_on(entity_type, ids) if actions is None else _on(
            entity_type, ids, or_(AuditEvent.action.in_(actions),
                                  *(AuditEvent.action.endswith(s) for s in ATTEMPT_SUFFIXES))))
    return or_(*conditions)


def _records(worker_id: int, application_ids: list[int], document_ids: list[int],
             flag_ids: list[int]) -> dict[str, list[int]]:
    return {"worker": [worker_id], "application": application_ids,
            "document": document_ids, "duplicate_flag": flag_ids}


def _case_records(session: Session, worker_id: int, application_ids: list[int],
                  flags) -> dict[str, list[int]]:
    """The worker record, these applications, their documents and the ``flags``."""
    return _records(worker_id, application_ids,
                    _ids(session, select(Document.id).where(
                        Document.application_id.in_(application_ids))),
                    _ids(session, select(DuplicateFlag.id).where(flags)))


def _case_conditions(session: Session, application: Application):
    records = _case_records(session, application.worker_id, [application.id],
                            DuplicateFlag.application_id == application.id)
    return _events_on(records)


def case_events(session: Session, application: Application) -> list[AuditEvent]:
    """Everything recorded on a case (its application, worker, documents and duplicate
    flags), oldest first."""
    return list(session.execute(select(AuditEvent).where(_case_conditions(session, application))
                                .order_by(AuditEvent.seq)).scalars())


def case_changes(session: Session, application: Application, *,
                 document_ids: list[int], flag_ids: list[int]) -> list[AuditEvent]:
    """What was done to a case, oldest first: ``case_events`` without the reads and the
    refused attempts (the audit workspace shows those). Every opening of the case page
    is a read of it, so the marked reads are left out by the database, not loaded. The
    case page has its documents and duplicate flags loaded already: their ids come
    along rather than being read again."""
    records = _records(application.worker_id, [application.id], document_ids, flag_ids)
    events = session.execute(select(AuditEvent).where(
        _events_on(records),
        ~AuditEvent.diff.contains(f'"{READ_MARK}":', autoescape=True),
        *(~AuditEvent.action.endswith(suffix, autoescape=True) for suffix in ATTEMPT_SUFFIXES))
        .order_by(AuditEvent.seq)).scalars()
    return [event for event in events if access_kind(event) == "change"]


def flags_about(worker_id: int, application_ids: list[int]):
    """Flags on the worker's applications, and flags on other people's that name them
    (``other_worker_id``; their text is about this worker)."""
    return or_(DuplicateFlag.application_id.in_(application_ids),
               DuplicateFlag.other_worker_id == worker_id)


def decrees_naming(session: Session, application_ids: list[int],
                   years: set[int]) -> list[tuple[Decree, list[dict]]]:
    """Decrees of these programme years whose frozen lists name one of the applications,
    with those entries only. The lists, not ``Application.decree_id``: sending a reserve
    back clears the link, and a reserve listed again keeps its older decree's."""
    wanted, found = set(application_ids), []
    for decree in session.execute(select(Decree).where(Decree.fiscal_year.in_(years))
                                  .order_by(Decree.id)).scalars():
        snapshot = json.loads(decree.snapshot)
        entries = [{**entry, "list": part} for part in ("approved", "reserve")
                   for entry in snapshot.get(part, []) if entry.get("application") in wanted]
        if entries:
            found.append((decree, entries))
    return found


def reports_quoting(nik: str):
    """Import runs whose problem report quotes the NIK (the report quotes the rows)."""
    return ImportRun.error_report.contains(nik, autoescape=True)


def requests_about(nik: str, worker_id: int | None = None):
    """Data-subject requests under the NIK, or linked to the worker who holds it."""
    about = DataSubjectRequest.nik == nik
    return about if worker_id is None else or_(about, DataSubjectRequest.worker_id == worker_id)


def nik_records(session: Session, nik: str,
                worker_id: int | None = None) -> dict[str, list[int]]:
    """The ids of the records quoting a NIK, whether or not a worker holds it: the
    data-subject requests under it (or linked to ``worker_id``) and the import problem
    reports quoting it. DTSEN and participant rows have no events of their own (they
    are written in bulk)."""
    return {"data_subject_request": _ids(session, select(DataSubjectRequest.id)
                                         .where(requests_about(nik, worker_id))),
            "import_run": _ids(session, select(ImportRun.id).where(reports_quoting(nik)))}


def worker_records(session: Session, worker: Worker) -> dict[str, list[int]]:
    """The ids, by entity type, of every record about the worker: their own (worker,
    applications, documents, duplicate flags, data-subject requests, also those under
    their NIK from before they registered) and the shared ones that list them (the keys
    of LIST_READS)."""
    applications = session.execute(select(Application.id, Application.program_year).where(
        Application.worker_id == worker.id)).all()
    app_ids = sorted(a.id for a in applications)
    return {
        **_case_records(session, worker.id, app_ids, flags_about(worker.id, app_ids)),
        **nik_records(session, worker.nik, worker.id),
        "decree": [decree.id for decree, _entries in decrees_naming(
            session, app_ids, {a.program_year for a in applications})],
        "registration_batch": _ids(session, select(RegistrationItem.batch_id).where(
            RegistrationItem.application_id.in_(app_ids))),
        "payment_batch": _ids(session, select(ContributionMonth.payment_batch_id).where(
            ContributionMonth.application_id.in_(app_ids))),
    }


def worker_events(session: Session, worker: Worker):
    """The events that read or changed the worker's data (a select to order or page)."""
    return select(AuditEvent).where(_events_on(worker_records(session, worker)))


def nik_events(session: Session, nik: str):
    """The same for a NIK no worker holds (see nik_records)."""
    return select(AuditEvent).where(_events_on(nik_records(session, nik)))


def find_worker(session: Session, key: str) -> Worker | None:
    """By NIK (16 digits) or by worker number."""
    key = (key or "").strip()
    if len(key) == 16 and key.isdigit():
        return session.execute(select(Worker).where(Worker.nik == key)).scalar_one_or_none()
    return session.get(Worker, int(key)) if key.isdigit() and len(key) <= 9 else None


def worker_access(session: Session, worker_id: int, *, after: int | None = None,
                  page_size: int = PAGE_SIZE) -> Page:
    """Who read or changed the worker's data, newest first (see worker_records)."""
    return _page(session, worker_events(session, session.get(Worker, worker_id)),
                 after=after, newest_first=True, page_size=page_size)


def parsed_diff(event: AuditEvent) -> dict | None:
    """The stored diff as JSON; None when the text is not a JSON object (a tampered row)."""
    try:
        diff = json.loads(event.diff)
    except ValueError:
        return None
    return diff if isinstance(diff, dict) else None


def is_read(event: AuditEvent) -> bool:
    """Marked as a read of personal data, or by its action or report always one (older
    reads and report downloads carry no mark); budget or programme reports are not."""
    diff = parsed_diff(event) or {}
    report = diff.get("report")  # [None, kind] on report events
    kind = report[-1] if isinstance(report, list) and report else None
    return (READ_MARK in diff or event.action in READ_ACTIONS
            or (event.action in REPORT_ACTIONS and isinstance(kind, str)
                and kind in PERSONAL_DATA))


def access_kind(event: AuditEvent) -> str:
    """"read", "change" or "attempt" (refused or denied: it read and changed nothing);
    the workspace labels events by it and a case's own history keeps only changes."""
    if event.action.endswith(ATTEMPT_SUFFIXES):
        return "attempt"
    return "read" if is_read(event) else "change"


def _shown(value):
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def diff_rows(event: AuditEvent) -> list[tuple[str, str | None, str | None]]:
    """``(field, old, new)`` per field; a value not written as ``[old, new]`` is the new one."""
    diff = parsed_diff(event)
    if diff is None:
        return [("", None, event.diff)]
    rows = []
    for name, change in diff.items():
        old, new = change if isinstance(change, list) and len(change) == 2 else (None, change)
        rows.append((name, _shown(old), _shown(new)))
    return rows


def last_checkpoint(session: Session) -> AuditCheckpoint | None:
    return session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())
                           .limit(1)).scalar_one_or_none()


def hash_at(session: Session, seq: int) -> str | None:
    return session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))
