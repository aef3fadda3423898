"""The Perwal's eligibility parameters as dated versions, and the evaluations
that used them (a snapshot, so a later change never rewrites a past decision)."""
import json
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import clock
from models.base import Base, UTCDateTime


class PolicyVersion(Base):
    __tablename__ = "policy_version"
    __table_args__ = (
        CheckConstraint("min_age >= 0 AND max_age >= min_age", name="age_range"),
        CheckConstraint("max_desil BETWEEN 1 AND 10", name="desil_1_10"),
        CheckConstraint("income_cap IS NULL OR income_cap > 0", name="positive_cap"),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from",
                        name="date_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    legal_basis: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]
    # Comma-separated subset of pedagang, pekerja_lepas, wiraswasta, rentan_lainnya.
    categories: Mapped[str] = mapped_column(String(120))
    min_age: Mapped[int]
    max_age: Mapped[int]
    # Whole rupiah; empty means the UMK of the programme year.
    income_cap: Mapped[int | None]
    # When the year's UMK is not entered yet (the Governor sets it late in December),
    # may the last published UMK stand in? Without it the evaluation is refused.
    umk_fallback: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    max_desil: Mapped[int]
    require_data_aktual: Mapped[bool] = mapped_column(Boolean, default=True)
    one_per_kk: Mapped[bool] = mapped_column(Boolean, default=True)
    exclude_other_payers: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    @property
    def category_list(self) -> list[str]:
        return [c.strip() for c in self.categories.split(",") if c.strip()]

    def __str__(self) -> str:
        return f"{self.name} (v{self.id})"


class EligibilityEvaluation(Base):
    __tablename__ = "eligibility_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_version.id"))
    dtsen_dataset_id: Mapped[int | None] = mapped_column(ForeignKey("import_run.id"))
    participants_dataset_id: Mapped[int | None] = mapped_column(ForeignKey("import_run.id"))
    eligible: Mapped[bool] = mapped_column(Boolean)
    # The desil seen (also inside ``results``), kept as a column so ranking sorts in SQL.
    desil: Mapped[int | None]
    # JSON list of {rule, value, expected, passed, message}: exactly what was seen.
    results: Mapped[str] = mapped_column(Text)
    evaluated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    policy_version: Mapped[PolicyVersion] = relationship()

    @property
    def failed_rules(self) -> list[str]:
        """The codes of the rules that did not pass, in the order they were evaluated."""
        return [rule["rule"] for rule in json.loads(self.results)["rules"] if not rule["passed"]]
