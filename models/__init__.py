"""SQLAlchemy 2 models of the case-management system.

The package imports nothing else of ours: it is the bottom layer, shared by the
workflows, the reports and the web layer. Importing it registers every table on
``Base.metadata`` (Alembic compares that metadata with the database).
"""
from models.base import Base
from models.roles import Role
from models.user import User, UserRole
from models.region import Kecamatan, Kelurahan
from models.rates import ContributionComponent, UmkRate
from models.audit import AuditChainHead, AuditCheckpoint, AuditEvent
from models.worker import Worker
from models.application import Application, ApplicationTransition
from models.document import Document, DocumentType
from models.imports import DtsenRecord, ImportRun, ParticipantRecord
from models.policy import EligibilityEvaluation, PolicyVersion
from models.duplicate import DuplicateFlag
from models.budget import BudgetLedger, BudgetQuota, BudgetYear, Decree
from models.bpjs import ContributionMonth, PaymentBatch, RegistrationBatch, RegistrationItem
from models.subject_request import DataSubjectRequest
from models.security import RecoveryCode, RoleGrant, UserSession
from models.job import Job
from models.membership_exit import MembershipExit
from models.refund import RefundLine
from models.membership import MembershipStatus
from models.notice import NoticeAttempt, NoticeConsent, WorkerNotice
from models.partner import ApplicationPartner, PartnerScope
from models.complaint import Complaint
from models.claim import Claim, ClaimDocument
from models.home_figures import HomeFigures
from models.intake_tally import IntakeTally

__all__ = [
    "Application",
    "ApplicationPartner",
    "ApplicationTransition",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEvent",
    "Base",
    "BudgetLedger",
    "BudgetQuota",
    "BudgetYear",
    "Claim",
    "ClaimDocument",
    "Complaint",
    "ContributionComponent",
    "ContributionMonth",
    "DataSubjectRequest",
    "Decree",
    "Document",
    "DocumentType",
    "DtsenRecord",
    "DuplicateFlag",
    "EligibilityEvaluation",
    "HomeFigures",
    "ImportRun",
    "IntakeTally",
    "Job",
    "Kecamatan",
    "Kelurahan",
    "MembershipExit",
    "MembershipStatus",
    "NoticeAttempt",
    "NoticeConsent",
    "ParticipantRecord",
    "PartnerScope",
    "PaymentBatch",
    "PolicyVersion",
    "RecoveryCode",
    "RefundLine",
    "RegistrationBatch",
    "RegistrationItem",
    "Role",
    "RoleGrant",
    "UmkRate",
    "User",
    "UserRole",
    "UserSession",
    "Worker",
    "WorkerNotice",
]
