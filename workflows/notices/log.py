"""Reading the delivery log: a page of notices (filtered by status and stage), a case's
notices and a notice's attempts. No names or NIKs: the log names the application and
shows the phone masked, so reading it is not a read of personal data."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.notice import NoticeAttempt, WorkerNotice

PAGE = 50


def masked_phone(phone: str | None) -> str:
    """The last 3 digits only: enough to tell two numbers apart on the phone."""
    if not phone:
        return "-"
    return "•" * max(len(phone) - 3, 0) + phone[-3:]


@dataclass(frozen=True)
class LogPage:
    notices: list[WorkerNotice]
    attempts: dict[int, list[NoticeAttempt]]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE))


def _attempts(session: Session, ids: list[int]) -> dict[int, list[NoticeAttempt]]:
    found: dict[int, list[NoticeAttempt]] = {i: [] for i in ids}
    if ids:
        for attempt in session.execute(select(NoticeAttempt).where(
                NoticeAttempt.notice_id.in_(ids)).order_by(NoticeAttempt.id)).scalars():
            found[attempt.notice_id].append(attempt)
    return found


def log_page(session: Session, *, status: str | None, stage: str | None,
             page: int = 1) -> LogPage:
    """The newest notices first."""
    conditions = []
    if status:
        conditions.append(WorkerNotice.status == status)
    if stage:
        conditions.append(WorkerNotice.stage == stage)
    total = session.scalar(select(func.count()).select_from(WorkerNotice).where(*conditions))
    notices = list(session.execute(select(WorkerNotice).where(*conditions)
                                   .order_by(WorkerNotice.id.desc())
                                   .offset((page - 1) * PAGE).limit(PAGE)).scalars())
    return LogPage(notices, _attempts(session, [n.id for n in notices]), total, page)


def case_notices(session: Session, application_id: int) -> list[WorkerNotice]:
    return list(session.execute(select(WorkerNotice).where(
        WorkerNotice.application_id == application_id).order_by(WorkerNotice.id)).scalars())
