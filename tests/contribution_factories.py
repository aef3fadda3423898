"""BPJS bills for the contribution tests (participants come from tests.factories.enrol)."""
import io

from sqlalchemy import select

from models import Application, ContributionMonth, Worker


def bill_csv(rows, header: str = "nik,kpj,bulan,iuran,status", encoding: str = "utf-8"
             ) -> io.BytesIO:
    """A BPJS bill from (nik, kpj, bulan, iuran, status) tuples."""
    lines = [header] + [",".join(str(v) for v in row) for row in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode(encoding))


def matching_rows(session, batch, status: str = "LUNAS") -> list[tuple]:
    """The bill BPJS would send for ``batch`` if everything agreed."""
    rows = session.execute(
        select(Worker.nik, Application.kpj, ContributionMonth.month, ContributionMonth.amount)
        .join(Application, Application.id == ContributionMonth.application_id)
        .join(Worker, Worker.id == Application.worker_id)
        .where(ContributionMonth.payment_batch_id == batch.id)
        .order_by(Worker.nik, ContributionMonth.month)).all()
    return [(nik, kpj, f"{month:%Y-%m}", amount, status) for nik, kpj, month, amount in rows]
