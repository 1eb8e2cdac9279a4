"""The `forecast` subcommand: forecast every queue of a history file (or folder) and keep the version.

    run_schedule.py forecast --history H.csv --horizon-days 14 --out F.csv
    run_schedule.py forecast                      # nightly batch on the site's history
    run_schedule.py forecast --scheduler tcp://10.0.0.5:8786
    run_schedule.py forecast --versions           # what the store holds
    run_schedule.py forecast --compare 7 8        # two versions side by side

Exit codes: 0 every queue forecast; 2 a mistake in the input or options;
3 some queues failed, or the store refused some (each is reported; the others were forecast and stored).
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd

from common.args import iso_date, positive_int
from common.errors import InputError
from common.io import atomic_write_text, check_output_file

log = logging.getLogger(__name__)

EXIT_SOME_QUEUES_FAILED = 3
DEFAULT_SITE = Path(__file__).resolve().parents[1] / "data" / "sample_site" / "site.yaml"


def register(subparsers: argparse._SubParsersAction) -> None:
    from forecast.models.registry import DEFAULT_MODELS, known_models
    from forecast.store import DEFAULT_DB

    parser = subparsers.add_parser(
        "forecast", help="forecast contacts and AHT per queue and interval; store the version",
        description="Backtest the forecast models per queue, choose the best, forecast the horizon from the "
                    "end of the history, and keep the run as a new version in the forecast store.",
        epilog="Exit codes: 0 all queues forecast, 2 input mistake, 3 some queues failed (the rest are stored).",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", type=Path, help="history CSV or a folder of them (default: the site's)")
    parser.add_argument("--site", type=Path, help="site YAML for timezone, holidays and special days "
                        "(default: the bundled sample site when --history is not given)")
    parser.add_argument("--special-days", type=Path, help="YAML with a special_days list (campaigns, outages)")
    parser.add_argument("--timezone", help="IANA timezone of the site (default: the site YAML's, else UTC)")
    parser.add_argument("--horizon-days", type=positive_int, default=14, help="days to forecast (default 14)")
    parser.add_argument("--start", type=iso_date, help="first forecast day (default: the day after the history)")
    parser.add_argument("--out", type=Path, help="write the forecast CSV here")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"forecast store (default {DEFAULT_DB})")
    parser.add_argument("--no-store", action="store_true", help="do not record the run in the store")
    parser.add_argument("--keep", type=positive_int, default=30,
                        help="keep the interval rows of this many newest versions (default 30); runs, "
                             "models and backtest accuracy are kept for every version")
    parser.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: local processes)")
    parser.add_argument("--workers", type=positive_int, help="local processes (default: one per core)")
    parser.add_argument("--origins", type=positive_int, default=3, help="backtest origins per queue (default 3)")
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS),
                        help=f"candidate models, comma-separated (known: {', '.join(known_models())})")
    parser.add_argument("--model", help="use this model for every queue instead of choosing")
    parser.add_argument("--versions", action="store_true", help="list stored versions and exit")
    parser.add_argument("--compare", nargs=2, type=int, metavar=("OLD", "NEW"), help="compare two stored versions")
    parser.set_defaults(func=forecast_command)


def _models(args: argparse.Namespace) -> tuple[str, ...]:
    from forecast.models.registry import BASELINES, known_models

    names = tuple(dict.fromkeys(n.strip() for n in args.models.split(",") if n.strip()))
    chosen = (args.model,) if args.model else ()
    unknown = [n for n in names + chosen if n not in known_models()]
    if unknown:
        raise InputError("--models" if unknown[0] in names else "--model", f"unknown model '{unknown[0]}'",
                         f"use some of: {', '.join(known_models())}")
    # Baselines are always computed, so every run can say whether it beat them.
    return tuple(dict.fromkeys(BASELINES + names))


def forecast_command(args: argparse.Namespace) -> int:
    from forecast import store

    if args.versions:
        print(store.list_versions(args.db).to_string(index=False))
        return 0
    if args.compare:
        print(store.compare_versions(args.db, *args.compare).to_string(index=False))
        return 0
    from forecast.batch import BatchSettings, run_batch
    from forecast.config import load_forecast_site

    if args.out:
        check_output_file(args.out)
    if not args.no_store:
        check_output_file(args.db, "--db")

    site_path = args.site or (DEFAULT_SITE if args.history is None else None)
    site = load_forecast_site(site_path, args.special_days) if site_path else None
    history = args.history or (site.history if site else None)
    if history is None:
        raise InputError("--history", "no history given and the site YAML names none",
                         "pass --history H.csv or add files: history: to the site YAML")
    timezone = args.timezone or (site.timezone if site else "UTC")
    _check_timezone(timezone)
    special = site.special_days if site else ()
    if args.special_days and not site:
        from forecast.config import parse_special_days, _read_yaml

        raw = _read_yaml(args.special_days) or {}
        special = parse_special_days(raw.get("special_days") if isinstance(raw, dict) else raw,
                                     f"{args.special_days} special_days")
    if site is None and not args.timezone:
        log.info("no --site or --timezone: reading local times as UTC")
    start = pd.Timestamp(args.start).tz_localize(timezone) if args.start else None
    settings = BatchSettings(timezone=timezone, horizon_days=args.horizon_days, start=start,
                             holidays=site.holidays if site else None, special_days=special,
                             models=_models(args), origins=args.origins, model=args.model)
    report = run_batch(history, settings, None if args.no_store else args.db, scheduler=args.scheduler,
                       workers=args.workers)
    if report.version_id is not None:
        pruned = store.prune_intervals(args.db, args.keep)
        if pruned:
            log.info("dropped the interval rows of %d old version(s) (--keep %d)", pruned, args.keep)
    if args.out:
        frame = report.forecast()
        out = frame.assign(start=frame["start"].map(lambda t: t.isoformat()))
        atomic_write_text(args.out, out.to_csv(index=False, float_format="%.4f"))
    _print_report(report, args)
    return EXIT_SOME_QUEUES_FAILED if report.failed or report.unstored else 0


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("--timezone", f"unknown timezone '{name}'",
                         "use an IANA name such as Europe/London or America/New_York") from None


def _print_report(report, args: argparse.Namespace) -> None:
    summary = report.summary()
    ok = summary[summary["status"] == "ok"]
    shown = ok.head(30)
    if len(shown):
        table = shown[["queue", "model", "backtest_wape", "naive_wape", "flag", "notes"]].copy()
        for column in ("backtest_wape", "naive_wape"):
            table[column] = table[column].map(lambda x: "" if pd.isna(x) else f"{100 * x:.1f}%")
        print(table.to_string(index=False))
        if len(ok) > len(shown):
            print(f"... and {len(ok) - len(shown)} more queue(s)")
    for outcome in report.failed:
        print(f"FAILED {outcome.queue}: {outcome.error}")
    if report.unstored:
        print(f"NOT STORED: {len(report.unstored)} queue(s) ({', '.join(report.unstored[:10])}"
              f"{' ...' if len(report.unstored) > 10 else ''}) were forecast but the store refused them "
              f"({report.store_error}); version {report.version_id} is {report.status}, so no plan uses it"
              + (f"; every forecast is in {args.out}" if args.out else "; rerun with --out to keep them"))
    where = (f"version {report.version_id} in {args.db} ({report.status})" if report.version_id is not None
             else "not stored")
    print(f"{len(ok)} queue(s) forecast, {len(report.failed)} failed, {report.seconds:.1f}s; {where}"
          + (f"; wrote {args.out}" if args.out else ""))
