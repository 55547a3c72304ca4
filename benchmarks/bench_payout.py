"""Time the T4 payout recompute that the widget's live preview runs on every change.

500 staff x 90 days (telecom-support), the balanced test scheme. Three figures:
- casekit, warm: ``compute_payouts`` with the period KPI tables cached (what the preview does after the first run);
- casekit, cold: the same including the KPI tables from the daily contact rows;
- plain alternative: the audit's independent recomputation, a straightforward row-by-row Python loop over the
  same lines (``casekit.cases.t4_incentives.audit_tools.recompute`` on a clean ledger).

    python benchmarks/bench_payout.py [--staff 500] [--days 90] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

from timing import ms

from casekit.cases.t4_incentives import audit_tools
from casekit.cases.t4_incentives.audit import payout_ledger
from casekit.cases.t4_incentives.payout import compute_payouts, period_kpis
from casekit.cases.t4_incentives.scheme import parse_scheme
from casekit.scenario import build_world, find_spec, load_spec

SCHEME = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "scheme_balanced.json"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--staff", type=int, default=500)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    world = build_world(load_spec(find_spec("telecom-support")), 7, staff=args.staff, days=args.days)
    scheme = parse_scheme(json.loads(SCHEME.read_text()))
    tables = period_kpis(world.contacts, world.staff)
    result = compute_payouts(scheme, world.contacts, world.staff, kpi_tables=tables)
    warm = ms(lambda: compute_payouts(scheme, world.contacts, world.staff, kpi_tables=tables), args.repeat)
    cold = ms(lambda: compute_payouts(scheme, world.contacts, world.staff), args.repeat)
    ledger = payout_ledger(world, inject=False, scheme=scheme)
    n_lines = len(ledger.paid)
    plain = ms(lambda: audit_tools.recompute(ledger, world), max(3, args.repeat // 5))
    lines_per_period = n_lines
    print(
        f"world: {args.staff} staff x {args.days} days, {len(world.contacts):,} contact rows; "
        f"{len(result.lines):,} payout lines over {len(result.periods)} periods"
    )
    print(f"casekit, warm (KPI tables cached): median {warm[0]:7.1f} ms  max {warm[1]:7.1f} ms")
    print(f"casekit, cold (KPIs from contacts): median {cold[0]:7.1f} ms  max {cold[1]:7.1f} ms")
    print(
        f"plain row-by-row recompute of ONE period ({lines_per_period:,} lines): median {plain[0]:7.1f} ms  "
        f"-> per line {plain[0] / lines_per_period * 1000:.1f} us vs casekit "
        f"{warm[0] / len(result.lines) * 1000:.1f} us"
    )
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
