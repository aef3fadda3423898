"""Everything the case page shows about one application, read-only."""
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (Application, ApplicationTransition, AuditEvent, Document, DocumentType,
                    DuplicateFlag, EligibilityEvaluation, User)
from reports.audit_trail import case_changes
from reports.duplicate_flags import application_flags
from reports.evaluations import latest_evaluation


@dataclass
class CaseFile:
    application: Application
    documents: list[Document]
    document_types: list[DocumentType]
    evaluation: EligibilityEvaluation | None
    rules: list[dict]
    duplicates: list[DuplicateFlag]
    events: list[AuditEvent]
    users: dict[int, str] = field(default_factory=dict)
    # The same membership in the year before and the year after (renewal), if any.
    continues: Application | None = None
    continued_by: Application | None = None

    @property
    def current_documents(self) -> dict[str, Document]:
        return {doc.document_type_code: doc for doc in self.documents}


def load_case_file(session: Session, application: Application) -> CaseFile:
    documents = list(session.execute(select(Document).where(
        Document.application_id == application.id).order_by(Document.id)).scalars())
    evaluation = latest_evaluation(session, application)
    duplicates = application_flags(session, application)
    # What was done to the case; reads (among them an auditor's evidence pack and its
    # purpose) and refused attempts belong to the audit workspace, not to the staff's page.
    events = case_changes(session, application, document_ids=[d.id for d in documents],
                          flag_ids=[f.id for f in duplicates])
    users = dict(session.execute(select(User.id, User.full_name)).all())
    return CaseFile(
        application=application, documents=documents,
        document_types=list(session.execute(select(DocumentType).where(
            DocumentType.active.is_(True)).order_by(DocumentType.code)).scalars()),
        evaluation=evaluation,
        rules=json.loads(evaluation.results)["rules"] if evaluation else [],
        duplicates=duplicates,
        events=events, users=users,
        continues=session.get(Application, application.renews_id) if application.renews_id
        else None,
        # Only a participant (with a KPJ) is renewed: workflows/renewal.due_for_renewal.
        continued_by=session.execute(select(Application).where(
            Application.renews_id == application.id)).scalar_one_or_none()
        if application.kpj else None)


def state_changes(session: Session, application: Application) -> list[ApplicationTransition]:
    """The application's steps from state to state, for the printed case file (the page
    shows them in its timeline of events)."""
    return list(session.execute(select(ApplicationTransition).where(
        ApplicationTransition.application_id == application.id)
        .order_by(ApplicationTransition.id)).scalars())
