"""Replay a surge (or lull) on a planned week: actuals drawn from the day-ahead forecast scaled by a factor from
a given time, then `surge` at `now`, with the no-action, surge-plan and from-scratch re-plans side by side.

    python -m bench.surge_replay --plan out --factor 1.4 --queue voice --from 09:00 --now 10:30 --out /tmp/surge

The actuals are seeded Poisson draws, so the same arguments give the same replay.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.inputs import DEFAULT_SITE


def replay_actuals(forecast: pd.DataFrame, date: dt.date, now: dt.datetime, interval_min: int,
                   factors: dict[str, tuple[dt.datetime, float]], seed: int = 7) -> pd.DataFrame:
    """Today's intervals that ended by `now`: Poisson(forecast × factor once the queue's factor has started)."""
    rng = np.random.default_rng(seed)
    starts = forecast["start"]
    today = forecast[(starts.dt.date == date) & (starts + pd.Timedelta(minutes=interval_min) <= pd.Timestamp(now))]
    rows = []
    for row in today.sort_values(["queue", "start"]).itertuples(index=False):
        since, factor = factors.get(row.queue, (None, 1.0))
        scale = factor if since is not None and row.start >= pd.Timestamp(since) else 1.0
        rows.append({"queue": row.queue, "start": row.start.isoformat(), "contacts": int(rng.poisson(row.contacts * scale)),
                     "aht_s": round(float(row.aht_s), 1)})
    return pd.DataFrame(rows, columns=["queue", "start", "contacts", "aht_s"])


def main(argv: list[str] | None = None) -> int:
    from reports.surge import surge_text, write_surge
    from pipeline.surge import load_surge_inputs, load_forecast, parse_now, run_surge
    from rules.loader import load_site
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE)
    parser.add_argument("--plan", type=Path, default=Path("out"), help="a plan's output folder (roster.csv, forecast.csv)")
    parser.add_argument("--date", help="the day to replay (default: the roster's first day)")
    parser.add_argument("--queue", default="voice")
    parser.add_argument("--factor", type=float, default=1.4)
    parser.add_argument("--from", dest="since", default="09:00")
    parser.add_argument("--now", default="10:30")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=Path("out/surge-replay"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    site = load_site(args.site)
    forecast = load_forecast(args.plan / "forecast.csv", site)
    roster = pd.read_csv(args.plan / "roster.csv")
    date = dt.date.fromisoformat(args.date) if args.date else dt.date.fromisoformat(min(roster["date"]))
    now = parse_now(f"{date}T{args.now}", site.timezone)
    since = parse_now(f"{date}T{args.since}", site.timezone)
    actuals = replay_actuals(forecast, date, now, site.interval_min, {args.queue: (since, args.factor)}, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    actuals_path = args.out / "actuals.csv"
    actuals.to_csv(actuals_path, index=False)
    inputs = load_surge_inputs(args.site, args.plan / "roster.csv", actuals_path, f"{date}T{args.now}",
                               args.plan / "forecast.csv")
    outcome = run_surge(inputs, args.time_limit, with_scratch=True)
    write_surge(outcome, args.out)
    print(surge_text(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
