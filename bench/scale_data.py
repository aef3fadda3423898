"""The bulk rows of the scale benchmark (bench/scale.py): N workers with their cases in
every state, evaluations, the budget ledger, contribution months with their payment
batches, DTSEN records, and a correct audit chain of EVENTS_PER_WORKER events each.

The domain rows are made on the server by INSERT ... SELECT over generate_series (no
round trip per row); the audit events are hashed here with the app's own
``workflows.audit.chain.row_hash`` and streamed in by COPY, with the table's secondary
indexes dropped during the load and built again afterwards (as a DBA would for a
bulk load). The events interleave as real work does: each round visits every worker,
so one worker's events are spread across the whole year of the log."""
import time
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from models.audit import GENESIS_HASH, READ_MARK
from workflows.audit.chain import HASHED_FIELDS, canonical_json, row_hash
from workflows.intake_tally import recount_intake_tally

EVENTS_PER_WORKER = 20
PREMIUM, MONTHS = 16_800, 12
# Per hundred workers, the state their case of the year is in (a city late in the year).
STATE_SHARES = (("draft", 6), ("submitted", 10), ("returned", 2), ("rejected", 4),
                ("verified", 10), ("waitlisted", 5), ("declined", 3), ("approved", 5),
                ("submitted_to_bpjs", 5), ("bpjs_rejected", 2), ("enrolled", 44),
                ("terminated", 4))
HOLDING = ("approved", "submitted_to_bpjs", "enrolled")
# Names common in Bekasi; a worker's name is first + last, so each pair is shared by
# N / 1600 people, as real names are.
FIRST = ("Agus Ahmad Andi Ani Asep Budi Dedi Dewi Eka Endang Fitri Hendra Ika Indah Joko "
         "Kurniawati Lestari Maya Muhammad Nur Nurul Putri Rahmat Ratna Rina Rizki Sari "
         "Siti Sri Suharti Supriyadi Susanti Taufik Tri Wahyu Wati Yanti Yudi Yusuf Zainal")
LAST = ("Hidayat Kusuma Lestari Nugroho Pratama Purnomo Rahayu Santoso Saputra Setiawan "
        "Siregar Sitompul Suryadi Syahputra Utami Wibowo Wijaya Wulandari Yulianti Handayani "
        "Gunawan Hakim Hasibuan Irawan Kartika Kurniawan Maulana Mulyadi Nasution Permana "
        "Ramadhan Rusdi Sembiring Simanjuntak Sulistyo Susilo Tanjung Fauzi Firmansyah Harahap")


def _state_case(column: str = "i") -> str:
    """A SQL CASE giving the state of worker number ``column`` by STATE_SHARES."""
    arms, low = [], 0
    for state, share in STATE_SHARES:
        arms.append(f"WHEN {column} % 100 < {low + share} THEN '{state}'")
        low += share
    return "CASE " + " ".join(arms) + " END"


def _run(conn, label: str, sql: str, **params) -> None:
    began = time.perf_counter()
    _report(label, conn.execute(text(sql), params).rowcount, began)


def _report(label: str, rows: int, began: float) -> None:
    print(f"  {label:<38}{rows:>12,} rows {time.perf_counter() - began:>7.1f} s", flush=True)


def load_domain(conn, *, n: int, year: int, caseworkers: list[int], head: int,
                decree: int, policy: int, dataset: int) -> dict:
    """Workers, cases and everything hanging off them, for a city in ``year``; the
    ids of the first bulk worker and application (the rest follow in order)."""
    params = {"n": n, "year": year, "first": FIRST.split(), "last": LAST.split(),
              "cws": caseworkers, "head": head, "decree": decree, "policy": policy,
              "dataset": dataset, "premium": PREMIUM, "months": MONTHS}
    base = conn.scalar(text("SELECT coalesce(max(id), 0) FROM worker"))
    _run(conn, "worker", """
        INSERT INTO worker (nik, kk_number, full_name, birth_place, birth_date, sex, address,
                            rt, rw, kelurahan_code, phone, category, occupation,
                            monthly_income, created_at, female_head_of_household, disability)
        SELECT '3275' || lpad(i::text, 12, '0'), '3276' || lpad((i / 3)::text, 12, '0'),
               (CAST(:first AS text[]))[1 + i % 40] || ' '
               || (CAST(:last AS text[]))[1 + (i / 40) % 40],
               'Bekasi', DATE '1965-01-01' + (i * 7) % 14000,
               CASE WHEN i % 2 = 0 THEN 'P' ELSE 'L' END,
               'Jl. Contoh No. ' || (i % 200 + 1), lpad((i % 20 + 1)::text, 3, '0'),
               lpad((i % 15 + 1)::text, 3, '0'), k.codes[1 + i % array_length(k.codes, 1)],
               '08' || lpad((i % 100000000)::text, 10, '0'),
               (ARRAY['pedagang','pekerja_lepas','wiraswasta','rentan_lainnya'])[1 + i % 4],
               'Pedagang kaki lima', 1500000 + (i % 30) * 100000,
               make_timestamptz(:year, 1, 1, 2, 0, 0, 'UTC') + (i % 300) * interval '1 day',
               i % 7 = 0, i % 23 = 0
        FROM generate_series(0, :n - 1) AS i,
             (SELECT array_agg(code ORDER BY code) AS codes FROM kelurahan) AS k""", **params)
    params["base"] = base
    # Rows made consistent here: no triggers (the ranking's copies of migration 0028 are
    # filled below as its backfill does, the intake tally of 0031 counted again; foreign
    # keys hold by construction).
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    state = _state_case()
    _run(conn, "application", f"""
        INSERT INTO application (worker_id, program_year, state, intake_channel, taken_in_by_id,
                                 created_at, submitted_at, state_changed_at, decree_id,
                                 approved_by_id, approved_at, commitment, kpj, coverage_start,
                                 exit_reason, exit_month)
        SELECT id, :year, state, CASE WHEN i % 3 = 0 THEN 'kelurahan' ELSE 'walk_in' END,
               (CAST(:cws AS int[]))[1 + i % array_length(CAST(:cws AS int[]), 1)], created_at,
               CASE WHEN state <> 'draft' THEN created_at + interval '2 hours' END,
               created_at + interval '3 days',
               CASE WHEN state IN ('approved', 'submitted_to_bpjs', 'enrolled', 'terminated',
                                   'waitlisted', 'declined', 'bpjs_rejected') THEN :decree END,
               CASE WHEN state IN ('approved', 'submitted_to_bpjs', 'enrolled', 'terminated',
                                   'bpjs_rejected') THEN :head END,
               CASE WHEN state IN ('approved', 'submitted_to_bpjs', 'enrolled', 'terminated',
                                   'bpjs_rejected') THEN created_at + interval '2 days' END,
               CASE WHEN state IN ('approved', 'submitted_to_bpjs', 'enrolled')
                    THEN CAST(:premium AS bigint) * :months END,
               CASE WHEN state IN ('enrolled', 'terminated')
                    THEN '9' || lpad(i::text, 10, '0') END,
               CASE WHEN state IN ('enrolled', 'terminated')
                    THEN make_date(:year, 1 + i % 6, 1) END,
               CASE WHEN state = 'terminated' THEN 'pindah_domisili' END,
               CASE WHEN state = 'terminated' THEN make_date(:year, 7 + i % 5, 1) END
        FROM (SELECT *, {state} AS state
              FROM (SELECT id, id - :base - 1 AS i, created_at FROM worker
                    WHERE id > :base) AS numbered) AS w""", **params)
    app = "application a JOIN worker w ON w.id = a.worker_id AND w.id > :base"
    _run(conn, "application_transition", f"""
        INSERT INTO application_transition (application_id, from_state, to_state, actor_id, at)
        SELECT a.id, NULL, 'draft', a.taken_in_by_id, a.created_at FROM {app}
        UNION ALL
        SELECT a.id, 'submitted', a.state, a.taken_in_by_id, a.state_changed_at FROM {app}
        WHERE a.state <> 'draft'""", **params)
    _run(conn, "eligibility_evaluation", f"""
        INSERT INTO eligibility_evaluation (application_id, policy_version_id, dtsen_dataset_id,
                                            eligible, results, evaluated_at, desil)
        SELECT a.id, :policy, :dataset, a.state <> 'rejected',
               '{{"reference_date": "' || :year || '-01-10", "rules": []}}',
               a.submitted_at, 1 + a.id % 5
        FROM {app} WHERE a.state <> 'draft'""", **params)
    _run(conn, "application ranking facts", """
        UPDATE application a SET desil = e.desil, disability = w.disability,
               female_head_of_household = w.female_head_of_household
        FROM eligibility_evaluation e, worker w
        WHERE e.application_id = a.id AND w.id = a.worker_id AND w.id > :base""", **params)
    began = time.perf_counter()  # as `flask home-figures recount-intake`, in this transaction
    _report("intake_tally", recount_intake_tally(Session(bind=conn)), began)
    _run(conn, "budget_ledger", f"""
        INSERT INTO budget_ledger (fiscal_year, application_id, decree_id, kind, amount, places,
                                   months, actor_id, created_at)
        SELECT :year, a.id, :decree, 'commit', a.commitment, 1, :months, :head, a.approved_at
        FROM {app} WHERE a.commitment IS NOT NULL""", **params)
    _run(conn, "payment_batch", """
        INSERT INTO payment_batch (fiscal_year, first_month, months, participant_count, total,
                                   status, sp2d_number, sp2d_date, created_by_id, created_at,
                                   paid_at)
        SELECT :year, make_date(:year, m, 1), 1, 0, 0, 'paid', 'SP2D/BENCH/' || :year || '/' || m,
               make_date(:year, m, 20), (CAST(:cws AS int[]))[1],
               make_timestamptz(:year, m, 10, 2, 0, 0, 'UTC'),
               make_timestamptz(:year, m, 20, 2, 0, 0, 'UTC')
        FROM generate_series(1, 11) AS m""", **params)
    _run(conn, "contribution_month", f"""
        INSERT INTO contribution_month (application_id, month, amount, status, payment_batch_id)
        SELECT a.id, make_date(:year, m, 1), :premium,
               CASE WHEN m < 12 THEN 'paid' ELSE 'due' END, b.id
        FROM {app} CROSS JOIN generate_series(1, 12) AS m
        LEFT JOIN payment_batch b ON b.sp2d_number = 'SP2D/BENCH/' || :year || '/' || m
        WHERE a.state = 'enrolled' AND m >= extract(month FROM a.coverage_start)""", **params)
    _run(conn, "payment_batch totals", """
        UPDATE payment_batch b SET participant_count = s.people, total = s.total
        FROM (SELECT payment_batch_id, count(*) AS people, sum(amount) AS total
              FROM contribution_month WHERE payment_batch_id IS NOT NULL
              GROUP BY payment_batch_id) AS s
        WHERE b.id = s.payment_batch_id""")
    _run(conn, "budget_year", """
        UPDATE budget_year y SET committed = l.amount, places_used = l.places,
               appropriation = l.amount + l.amount / 10, quota = l.places + l.places / 10,
               realised = coalesce(p.total, 0)
        FROM (SELECT sum(amount) AS amount, sum(places) AS places FROM budget_ledger
              WHERE fiscal_year = :year) AS l,
             (SELECT sum(total) AS total FROM payment_batch
              WHERE fiscal_year = :year AND status = 'paid') AS p
        WHERE y.fiscal_year = :year""", **params)
    _run(conn, "dtsen_record", """
        INSERT INTO dtsen_record (dataset_id, nik, no_kk, nama, tanggal_lahir, jenis_kelamin,
                                  kode_kelurahan, desil)
        SELECT :dataset, nik, kk_number, full_name, birth_date, sex, kelurahan_code,
               1 + id % 5 FROM worker WHERE id > :base""", **params)
    return {"first_worker": base + 1, "first_application": conn.scalar(text(
        "SELECT min(id) FROM application WHERE worker_id > :base"), {"base": base})}


# The steps each state's case went through, after intake; step k falls in round 5 + 2k.
_STEPS = {"draft": (), "submitted": ("submit",), "returned": ("submit", "return"),
          "rejected": ("submit", "reject"), "verified": ("submit", "verify"),
          "waitlisted": ("submit", "verify", "waitlist"),
          "declined": ("submit", "verify", "decline"),
          "approved": ("submit", "verify", "approve")}
_STEPS["submitted_to_bpjs"] = _STEPS["approved"] + ("submit_to_bpjs",)
_STEPS["bpjs_rejected"] = _STEPS["submitted_to_bpjs"] + ("bpjs_reject",)
_STEPS["enrolled"] = _STEPS["submitted_to_bpjs"] + ("enrol",)
_STEPS["terminated"] = _STEPS["enrolled"] + ("terminate",)
_DECISIONS = ("approve", "waitlist", "decline")


def _event_stream(n: int, first_seq: int, first_worker: int, first_application: int,
                  staff: dict, start: datetime, end: datetime):
    """The fields (HASHED_FIELDS order, without prev_hash) of every event, in seq order."""
    step = (end - start) / (n * EVENTS_PER_WORKER)
    caseworkers, head = staff["caseworkers"], staff["head"]
    states = [state for state, share in STATE_SHARES for _ in range(share)]
    seq = first_seq
    for round_ in range(EVENTS_PER_WORKER):
        for i in range(n):
            taker = caseworkers[i % len(caseworkers)]
            reader = caseworkers[(i + round_ + 1) % len(caseworkers)]
            action, entity, entity_id, diff, actor = _event(
                round_, states[i % 100], i, first_worker + i, first_application + i,
                taker, reader, head)
            yield (seq, start + step * (seq - first_seq), *actor,
                   f"10.20.{i % 250}.{round_ + 1}", f"{seq:032x}", action, entity, entity_id,
                   canonical_json(diff), None)
            seq += 1


def _event(round_, state, i, worker, application, taker, reader, head):
    """A worker's event in one round: intake, then a step of their case, else a read."""
    case = ("application", str(application))
    if round_ == 0:
        return ("worker.register", "worker", str(worker),
                {"full_name": [None, f"hmac:{i:016x}"], "nik": [None, f"hmac:{i + 1:016x}"],
                 "category": [None, "pedagang"]}, taker)
    if round_ == 1:
        return ("application.open", *case, {"state": [None, "draft"],
                                             "taken_in_by_id": [None, taker[0]]}, taker)
    if round_ in (2, 3, 4):
        return ("document.upload", "document", str(3 * i + round_),
                {"application_id": [None, application],
                 "document_type_code": [None, ("ktp", "kk", "sku")[round_ - 2]]}, taker)
    steps = _STEPS[state]
    k, odd = divmod(round_ - 5, 2)
    if not odd and k < len(steps):
        verb = steps[k]
        return (f"application.{verb}", *case, {"step": [None, k]},
                head if verb in _DECISIONS else reader)
    if round_ == 6 and steps:
        return ("eligibility.evaluate", *case, {"eligible": [None, state != "rejected"]},
                reader)
    return ("application.view", *case, {READ_MARK: [None, "record"]}, reader)


def load_audit(conn, *, n: int, staff: dict, start: datetime, end: datetime,
               first_worker: int, first_application: int) -> int:
    """COPY n * EVENTS_PER_WORKER chained events after the chain's head; returns how many."""
    raw = conn.connection.driver_connection
    head_seq, head_hash = conn.execute(text(
        "SELECT seq, hash FROM audit_chain_head WHERE id = 1")).one()
    kept = _drop_secondary_indexes(conn)
    began, prev, count = time.perf_counter(), head_hash or GENESIS_HASH, 0
    columns = ", ".join((*HASHED_FIELDS, "hash"))
    with raw.cursor() as cursor, cursor.copy(f"COPY audit_event ({columns}) FROM STDIN") as copy:
        for values in _event_stream(n, head_seq + 1, first_worker, first_application,
                                    staff, start, end):
            row = (*values, prev)
            digest = row_hash(row)
            copy.write_row((*row, digest))
            prev, count = digest, count + 1
            if count % 1_000_000 == 0:
                print(f"  audit_event {count:>12,} hashed and sent "
                      f"{time.perf_counter() - began:>7.1f} s", flush=True)
    conn.execute(text("UPDATE audit_chain_head SET seq = :seq, hash = :hash WHERE id = 1"),
                 {"seq": head_seq + count, "hash": prev})
    print(f"  {'audit_event COPY':<38}{count:>12,} rows {time.perf_counter() - began:>7.1f} s",
          flush=True)
    _restore(conn, kept)
    return count


def _drop_secondary_indexes(conn) -> list[str]:
    """Drop audit_event's indexes and unique constraints but its key; their DDL to restore."""
    constraints = conn.execute(text("""
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = 'audit_event'::regclass AND contype = 'u'""")).all()
    indexes = conn.execute(text("""
        SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
        WHERE indrelid = 'audit_event'::regclass AND NOT indisprimary
          AND indexrelid NOT IN (SELECT conindid FROM pg_constraint
                                 WHERE conrelid = 'audit_event'::regclass)""")).all()
    for name, _ in constraints:
        conn.execute(text(f'ALTER TABLE audit_event DROP CONSTRAINT "{name}"'))
    for name, _ in indexes:
        conn.execute(text(f"DROP INDEX {name}"))
    return ([f'ALTER TABLE audit_event ADD CONSTRAINT "{name}" {definition}'
             for name, definition in constraints] + [definition for _, definition in indexes])


def _restore(conn, statements: list[str]) -> None:
    conn.execute(text("SET maintenance_work_mem = '512MB'"))
    for statement in statements:
        began = time.perf_counter()
        conn.execute(text(statement))
        print(f"  {statement[:70]:<70} {time.perf_counter() - began:>6.1f} s", flush=True)
