"""Flask-Admin as the shell of every page after sign-in: built inside the factory."""

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from caseapp.audit_workspace.labels import JINJA_FILTERS
from caseapp.audit_workspace.views import AuditWorkspaceView
from caseapp.admin.base import RoleMenuLink
from caseapp.admin.cases import ApplicationView, WorkerView
from caseapp.admin.dashboard import DashboardView
from caseapp.admin.reference import (BudgetQuotaView, BudgetYearView, ContributionComponentView,
                                     DocumentTypeView, KecamatanView, KelurahanView,
                                     PolicyVersionView, UmkRateView)
from caseapp.approval.views import ApprovalView, BudgetView
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
    cases, refs = _l("Cases"), _l("Reference data")
    admin.add_view(AuthView(name="auth", endpoint="auth", url="/auth"))
    admin.add_view(StatusView(name="status", endpoint="status", url="/status"))
    admin.add_view(SecondFactorView(name="mfa", endpoint="mfa", url="/auth/mfa"))
    admin.add_view(SessionsView(name="sessions", endpoint="sessions", url="/auth/sessions"))
    admin.add_view(JobsView(name=_l("Background jobs"), endpoint="jobs", url="/jobs"))
    admin.add_view(CasesView(name=_l("Verification worklist"), category=cases, endpoint="cases",
                             url="/cases"))
    admin.add_link(RoleMenuLink(name=_l("New application"), category=cases,
                                endpoint="cases.intake", roles=(Role.CASEWORKER.value,)))
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
                               endpoint="renewal", url="/renewal"))
    from caseapp.privacy.views import PrivacyView  # UU PDP data subject requests
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
                                   endpoint="budget_quotas"))
    admin.add_view(AuditWorkspaceView(name=_l("Audit log"), endpoint="audit", url="/audit"))
    from caseapp.reports.views import ReportsView  # compliance reports (PDF, XLSX)
    admin.add_view(ReportsView(name=_l("Reports"), endpoint="reports", url="/reports"))
    admin.add_view(UserView(User, name=_l("Users"), category=_l("Administration"),
                            endpoint="users"))
    admin.add_view(RoleGrantsView(name=_l("Role grants to confirm"),
                                  category=_l("Administration"), endpoint="role_grants",
                                  url="/role-grants"))
    admin.add_view(KecamatanView(Kecamatan, name=_l("Kecamatan"), category=refs,
                                 endpoint="kecamatan"))
    admin.add_view(KelurahanView(Kelurahan, name=_l("Kelurahan"), category=refs,
                                 endpoint="kelurahan"))
    admin.add_view(UmkRateView(UmkRate, name=_l("UMK"), category=refs, endpoint="umk"))
    admin.add_view(ContributionComponentView(ContributionComponent, name=_l("Contributions"),
                                             category=refs, endpoint="contributions"))
    admin.add_view(PolicyVersionView(PolicyVersion, name=_l("Policy versions (Perwal)"),
                                     category=refs, endpoint="policy"))
    admin.add_view(DocumentTypeView(DocumentType, name=_l("Document types"), category=refs,
                                    endpoint="document_types"))
    app.extensions["caseapp_admin"] = admin
    app.jinja_env.filters.update(JINJA_FILTERS)
