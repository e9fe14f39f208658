"""Benchmark data: a GrantDesk database with one fund of N generated applications.

    python tests/bench/data.py PATH --applications 100000

Built through the real schema (``open_database(create=True)``, the fund, its areas and rounds through
the services) with the bulk rows written by executemany, as the importers write them, so a
100,000-application fund takes seconds. The same ``seed`` gives the same database. A database
already at ``path`` with the right number of applications is reused, so the benchmarks that share
one build it once per run.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

FUND = "BIG"
AREAS = ("Abbey", "Bishop's Wood", "Castle", "Deanery", "Eastgate", "Forest Hill", "Greenside", "Harbour",
         "Ironbridge", "Jubilee", "Kingsway", "Lakeside", "Market", "Northfield", "Oakwood", "Priory")
WORDS = ("community", "garden", "youth", "club", "lunch", "hall", "repair", "summer", "music", "sports",
         "library", "walking", "food", "bank", "art", "heritage", "allotment", "playgroup", "choir", "cafe")
STATUSES = ("submitted", "eligible", "shortlisted", "awarded", "declined", "returned", "ineligible", "withdrawn")


def count_applications(path: Path) -> int | None:
    import sqlite3

    if not path.exists():
        return None
    try:
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT count(*) FROM applications").fetchone()[0]
    except sqlite3.Error:
        return None


def build(path: Path, applications: int, *, seed: int = 7) -> Path:
    """A database at ``path`` whose fund BIG has ``applications`` applications (reused if present)."""
    path = Path(path)
    if count_applications(path) == applications:
        return path
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    from sqlalchemy import insert

    from grantdesk.config import database_location
    from grantdesk.domain.organisations import name_key
    from grantdesk.services import funds
    from grantdesk.services.common import utcnow
    from grantdesk.store.database import open_database
    from grantdesk.store.models import Application, Organisation, ReferenceCounter

    rng = random.Random(seed)
    now = utcnow()
    with open_database(database_location(path), create=True) as db:
        with db.unit_of_work() as uow:
            s = uow.session
            fund = funds.add_fund(s, actor="benchmark", code=FUND, name="Big City Community Fund",
                                  council="Big City Council", funder_org_id="GB-LAE-BIG", prefix_360g="360G-bigcity")
            area_ids = [funds.add_area(s, fund=fund, name=a, kind="ward", council=fund.council).id for a in AREAS]
            round_ids = [funds.add_round(s, actor="benchmark", fund=fund, name=f"Round {y}", financial_year=y,
                                         opens_on=date(y, 4, 1), closes_on=date(y, 10, 31)).id
                         for y in (2023, 2024, 2025, 2026)]
            orgs = max(applications // 8, 1)
            org_rows = []
            for n in range(orgs):
                name = f"{rng.choice(AREAS)} {rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {n}"
                org_rows.append(dict(name=name, name_key=name_key(name), org_type="community_group",
                                     charity_number=None, company_number=None, org_id=None, address="",
                                     postcode="", website="", created_at=now))
            org_ids = s.scalars(insert(Organisation.__table__).returning(Organisation.__table__.c.id,
                                                                         sort_by_parameter_order=True),
                                org_rows).all()
            counters: dict[int, int] = {}
            app_rows = []
            for n in range(applications):
                year = 2023 + n % 4
                counters[year] = counters.get(year, 0) + 1
                submitted = date(year, 4, 1) + timedelta(days=rng.randrange(0, 200))
                app_rows.append(dict(
                    reference=f"{FUND}-{year}-{counters[year]:05d}", fund_id=fund.id, round_id=round_ids[n % 4],
                    organisation_id=rng.choice(org_ids), contact_id=None, area_id=rng.choice(area_ids),
                    title=" ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 8))).capitalize(),
                    summary="", amount_requested_pence=rng.randrange(100, 10_000) * 100 + rng.choice((0, 50)),
                    project_start=None, project_end=None, submitted_on=submitted, status=rng.choice(STATUSES),
                    answers={}, created_at=now, updated_at=now, version=1))
            for start in range(0, len(app_rows), 5000):
                s.execute(insert(Application.__table__), app_rows[start:start + 5000])
            s.execute(insert(ReferenceCounter.__table__),
                      [dict(fund_id=fund.id, year=y, last_number=c) for y, c in counters.items()])
            uow.commit()
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--applications", type=int, default=10_000)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    build(Path(args.path), args.applications)
    print(f"{args.path}: {count_applications(Path(args.path))} applications ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
