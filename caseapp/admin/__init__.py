"""Flask-Admin as the shell of every page after sign-in: built inside the factory."""

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from caseapp.audit_workspace.labels import JINJA_FILTERS
from caseapp.audit_workspace.views import AuditWorkspaceView
from caseapp.admin.base import RoleMenuLink
from caseapp.admin.cases import ApplicationView, WorkerView
from caseapp.admin import menu, static_urls
from caseapp.admin.dashboard import DashboardView
from caseapp.admin.reference import (BudgetQuotaView, BudgetYearView, ContributionComponentView,
                                     DocumentTypeView, KecamatanView, KelurahanView,
                                     PolicyVersionView, UmkRateView)
from caseapp.approval.views import ApprovalView, BudgetView
from caseapp.cases.links import CaseLinks
from caseapp.admin.role_grants import RoleGrantsView
from caseapp.admin.users import UserView
from caseapp.auth import AuthView
from caseapp.auth.second_factor import SecondFactorView
from caseapp.auth.sessions_view import SessionsView
from caseapp.jobs.views import JobsView
from caseapp.cases.views import CasesView
from caseapp.i18n import TRANSLATIONS_DIR
from caseapp.imports.views import ImportsView
from caseapp.bpjs.views import BpjsView
from caseapp.contributions.views import ContributionsView
from caseapp.renewal.views import RenewalView
from caseapp.privacy.views import PrivacyView
from caseapp.membership.views import MembershipView, membership_of_case
from caseapp.notices.views import NoticesView, notices_of_case
from caseapp.complaints.views import ComplaintsView
from caseapp.claims.views import ClaimsView, case_claims
from caseapp.exits.views import DesilExitsView, RefundsView
from caseapp.reports.views import ReportsView
from caseapp.search.views import SearchView
from caseapp.security_headers import csp_nonce
from caseapp.status.views import StatusView
from models import (Application, BudgetQuota, BudgetYear, ContributionComponent,
                    DocumentType, Kecamatan, Kelurahan, PolicyVersion, Role, UmkRate, User,
                    Worker)
from workflows.messages import lazy_gettext as _l


def init_app(app) -> None:
    admin = Admin(
        app,
        name="SIGAP Disnaker Kota Bekasi",
        index_view=DashboardView(name=_l("Home"), url="/", endpoint="admin"),
        translations_path=TRANSLATIONS_DIR,
        theme=Bootstrap4Theme(swatch="default", fluid=True),
        csp_nonce_generator=csp_nonce,
    )
    # Reference data sits with the users under one "Administration" menu, so the menu
    # stays on one row at 1366 px for the auditor, who sees every group.
    cases, settings = _l("Cases"), _l("Administration")
    # After enrolment: status at BPJS, exits, claims, notices, partners' complaints (issue 15).
    membership = _l("Membership")
    admin.add_view(AuthView(name="auth", endpoint="auth", url="/auth"))
    admin.add_view(StatusView(name="status", endpoint="status", url="/status"))
    admin.add_view(SecondFactorView(name="mfa", endpoint="mfa", url="/auth/mfa"))
    admin.add_view(SessionsView(name="sessions", endpoint="sessions", url="/auth/sessions"))
    admin.add_view(JobsView(name=_l("Background jobs"), endpoint="jobs", url="/jobs"))
    admin.add_view(CasesView(name=_l("Verification worklist"), category=cases, endpoint="cases",
                             url="/cases"))
    app.jinja_env.globals["case_link"] = CaseLinks()  # lists of cases link each row
    admin.add_link(RoleMenuLink(name=_l("New application"), category=cases,
                                endpoint="cases.intake",
                                roles=(Role.CASEWORKER.value, Role.PARTNER.value)))
    search = SearchView(name=_l("Search"), endpoint="search", url="/search")
    admin.add_view(search)
    app.jinja_env.globals["case_search"] = search  # the top bar's box (admin/master.html)
    admin.add_view(ApplicationView(Application, name=_l("Applications"), category=cases,
                                   endpoint="applications"))
    admin.add_view(WorkerView(Worker, name=_l("Workers"), category=cases, endpoint="workers"))
    admin.add_view(ImportsView(name=_l("Imports"), category=cases, endpoint="imports",
                               url="/imports"))
    admin.add_view(BpjsView(name=_l("BPJS registration"), category=cases, endpoint="bpjs",
                            url="/bpjs"))
    admin.add_view(RenewalView(name=_l("Renewal into next year"), category=cases,
                               endpoint="renewal", url="/renewal"))# UU PDP data subject requests
    admin.add_view(PrivacyView(name=_l("Data subject requests"), category=cases,
                               endpoint="privacy", url="/privacy"))
    budget = _l("Budget")
    admin.add_view(ApprovalView(name=_l("Ranking and approval"), category=budget,
                                endpoint="approval", url="/approval"))
    admin.add_view(BudgetView(name=_l("Budget realisation"), category=budget, endpoint="budget",
                              url="/budget"))
    admin.add_view(ContributionsView(name=_l("Contributions and payments"), category=budget,
                                     endpoint="contributions_page", url="/contributions-payments"))
    admin.add_view(BudgetYearView(BudgetYear, name=_l("Budget years (DPA)"), category=budget,
                                  endpoint="budget_years"))
    admin.add_view(BudgetQuotaView(BudgetQuota, name=_l("Quota splits"), category=budget,
                                   endpoint="budget_quotas"))# BPJS status
    admin.add_view(MembershipView(name=_l("Membership status at BPJS"), category=membership,
                                  endpoint="membership", url="/membership"))
    app.jinja_env.globals["case_membership"] = membership_of_case  # the case page's card# notices to workers
    admin.add_view(NoticesView(name=_l("Notices to workers"), category=membership,
                               endpoint="notices", url="/notices"))
    app.jinja_env.globals["case_notices"] = notices_of_case  # the case page's card# pengaduan / sanggahan (issue 15)
    admin.add_view(ComplaintsView(name=_l("Complaints and objections"), category=membership,
                                  endpoint="complaints", url="/complaints"))# JKK/JKM claims desk
    admin.add_view(ClaimsView(name=_l("Claims desk"), category=membership, endpoint="claims",
                              url="/claims"))
    admin.add_link(RoleMenuLink(name=_l("Payout register"), category=membership,
                                endpoint="claims.register", roles=ClaimsView.roles))
    app.jinja_env.globals["case_claims"] = case_claims  # the case page's card# exits (issue 15 item 2)
    admin.add_view(RefundsView(name=_l("Refund ledger"), category=membership,
                               endpoint="refunds", url="/refunds"))
    admin.add_view(DesilExitsView(name=_l("Desil above the cut-off"), category=membership,
                                  endpoint="desil_exits", url="/desil-exits"))
    admin.add_view(AuditWorkspaceView(name=_l("Audit log"), endpoint="audit", url="/audit"))# compliance reports (PDF, XLSX)
    admin.add_view(ReportsView(name=_l("Reports"), endpoint="reports", url="/reports"))
    admin.add_view(UserView(User, name=_l("Users"), category=settings,
                            endpoint="users"))
    admin.add_view(RoleGrantsView(name=_l("Role grants to confirm"),
                                  category=settings, endpoint="role_grants",
                                  url="/role-grants"))
    admin.add_view(KecamatanView(Kecamatan, name=_l("Kecamatan"), category=settings,
                                 endpoint="kecamatan"))
    admin.add_view(KelurahanView(Kelurahan, name=_l("Kelurahan"), category=settings,
                                 endpoint="kelurahan"))
    admin.add_view(UmkRateView(UmkRate, name=_l("UMK"), category=settings, endpoint="umk"))
    admin.add_view(ContributionComponentView(ContributionComponent, name=_l("Contributions"),
                                             category=settings, endpoint="contributions"))
    admin.add_view(PolicyVersionView(PolicyVersion, name=_l("Policy versions (Perwal)"),
                                     category=settings, endpoint="policy"))
    admin.add_view(DocumentTypeView(DocumentType, name=_l("Document types"), category=settings,
                                    endpoint="document_types"))
    app.extensions["caseapp_admin"] = admin
    menu.init_app(app)
    static_urls.init_app(app)
    app.jinja_env.filters.update(JINJA_FILTERS)
