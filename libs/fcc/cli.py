"""The `fcc` command line.

Exit codes: 0 success, 1 job failure, 2 bad usage or input, 3 another run of the same job and
business date holds the run lease (nothing was started).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from datetime import date
from pathlib import Path

from fcc import __version__
from fcc.core.signals import Terminated, stop_on_sigterm, stop_signal

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3
EXIT_TERMINATED = 128 + signal.SIGTERM  # the shell convention for "ended by SIGTERM"
log = logging.getLogger("fcc")


class UsageError(ValueError):
    """Bad usage or bad input: exit code 2."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _steps(text: str) -> list[str]:
    from fcc.pipeline import JOBS

    steps = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in steps if s not in JOBS]
    if not steps or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown step(s) {', '.join(unknown) or repr(text)}; "
            f"expected some of {', '.join(JOBS)}"
        )
    return steps


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("configuration")
    g.add_argument(
        "--lakehouse",
        help="lakehouse root (path or s3a:// abfss:// gs:// URI); "
        "default FCC_LAKEHOUSE or the config's `lakehouse`",
    )
    g.add_argument(
        "--conf",
        action="append",
        default=[],
        metavar="FILE",
        help="extra YAML config file (repeatable)",
    )
    g.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="overrides",
        help="override one config key, e.g. --set screening.threshold=0.9 (repeatable)",
    )
    g.add_argument("--env", help="config overlay: local | k8s (default FCC_ENV or local)")
    g.add_argument("--log-level", default=os.environ.get("FCC_LOG_LEVEL", "INFO"))
    return p


def build_parser() -> argparse.ArgumentParser:
    from fcc.pipeline import JOBS

    common = _common()
    parser = argparse.ArgumentParser(
        prog="fcc", description="fcc-scoring: nightly financial-crime scoring on Spark and Delta."
    )
    parser.add_argument("--version", action="version", version=f"fcc-scoring {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", parents=[common], help="run one job for a business date")
    run.add_argument("job", choices=JOBS, help="step to run, or `nightly` for the whole chain")
    run.add_argument("--as-of", type=_date, required=True, help="business date D (YYYY-MM-DD)")
    run.add_argument(
        "--full", action="store_true", help="features: rebuild every day instead of incrementally"
    )

    gen = sub.add_parser(
        "generate", parents=[common], help="write synthetic bronze data with planted typologies"
    )
    gen.add_argument("--out", help="lakehouse root to write (default: the configured lakehouse)")
    gen.add_argument("--customers", type=int, default=10_000)
    gen.add_argument("--days", type=int, default=90)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument(
        "--end-date", type=_date, default=None, help="last generated day (default: yesterday)"
    )
    gen.add_argument(
        "--amount-scale",
        type=float,
        default=None,
        help="every amount times this, threshold-bound ones excepted (default: synth.amount_scale)",
    )
    gen.add_argument(
        "--background-density",
        type=float,
        default=None,
        help="everyday events per customer-day times this (default: synth.background_density)",
    )

    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="generate the synthetic data set if the lakehouse has none, run the nightly for "
        "its last day and print the summary (one Spark application)",
    )
    demo.add_argument("--customers", type=int, default=10_000)
    demo.add_argument("--days", type=int, default=90)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument(
        "--as-of", type=_date, required=True, help="last generated day, and the night run"
    )

    bf = sub.add_parser(
        "backfill", parents=[common], help="run the nightly chain for a range of dates in order"
    )
    bf.add_argument("--from", dest="start", type=_date, required=True)
    bf.add_argument("--to", dest="end", type=_date, required=True)
    bf.add_argument("--force", action="store_true", help="rerun dates that already completed")
    bf.add_argument(
        "--steps",
        type=_steps,
        default=["nightly"],
        help="comma-separated steps run for each date instead of the whole chain, e.g. "
        "features,graph,typologies to rerun detection over history after a rule change",
    )

    rp = sub.add_parser(
        "replay", parents=[common], help="recompute a recorded run and compare alerts and scores"
    )
    rp.add_argument("--run-id", required=True)
    rp.add_argument(
        "--scratch", help="folder for the replay's outputs (default: <lakehouse>/_replay/<run id>)"
    )

    sm = sub.add_parser("summary", parents=[common], help="print the nightly summary for a date")
    sm.add_argument("--as-of", type=_date, required=True)

    sub.add_parser(
        "doctor", parents=[common], help="check Java, Spark, Delta, graph and the lakehouse root"
    )

    lists = sub.add_parser(
        "lists", help="load sanctions lists (OFAC, UN) and custom lists into the watchlist"
    )
    lists_sub = lists.add_subparsers(dest="lists_command", required=True)
    load = lists_sub.add_parser("load", parents=[common], help="load a local list file or folder")
    load.add_argument(
        "path",
        help="OFAC SDN advanced XML (.xml/.xml.bz2), OFAC CSV folder, UN XML, an "
        "OFAC per-chain address folder, or a custom list (.csv / .json, see docs/lists.md)",
    )
    load.add_argument(
        "--format",
        choices=["ofac-advanced", "ofac-csv", "un-xml", "ofac-addresses", "csv", "json"],
        default=None,
        help="file format (detected when omitted; .csv / .json files are custom lists)",
    )
    load.add_argument(
        "--list-name",
        help="list the entries belong to (required for csv / json, e.g. INTERNAL-BLOCK); "
        "for an official format, loads it under this name instead of the publisher's",
    )
    load.add_argument(
        "--list-version",
        help="version of this file (default: the file's publication date, a date in its "
        "name, or a hash of its content)",
    )
    lists_sub.add_parser(
        "refresh", parents=[common], help="download the lists from their publishers and load them"
    )

    scr = sub.add_parser(
        "screen",
        parents=[common],
        help="screen one name against silver.watchlist now, with the nightly matcher",
    )
    scr.add_argument("name", help='the name to screen, e.g. "Ivan Petrovich Sidorov"')
    scr.add_argument(
        "--dob", help="date of birth YYYY-MM-DD, YYYY-MM or YYYY (compared at that precision)"
    )
    scr.add_argument("--country", help="nationality: ISO alpha-2 code or country name")
    scr.add_argument(
        "--list",
        action="append",
        default=[],
        dest="lists",
        metavar="LIST",
        help="only this list_name (repeatable; default every list)",
    )
    scr.add_argument(
        "--type",
        choices=["person", "entity", "vessel", "aircraft"],
        default="person",
        help="what the name is (default person)",
    )
    scr.add_argument(
        "--min-score",
        type=float,
        default=None,
        help="lowest score shown (default the name floor); contains-matches always show",
    )
    scr.add_argument("--limit", type=int, default=50, help="most entries shown (default 50)")

    hits = sub.add_parser("hits", help="review screening hits: list them, decide on one")
    hits_sub = hits.add_subparsers(dest="hits_command", required=True, metavar="ACTION")
    hl = hits_sub.add_parser("list", parents=[common], help="the screening hits of a date")
    hl.add_argument("--as-of", type=_date, required=True, help="business date D (YYYY-MM-DD)")
    hl.add_argument(
        "--status",
        choices=["open", "suppressed_fp", "closed_delisted"],
        help="only hits of this status",
    )
    hd = hits_sub.add_parser(
        "decide", parents=[common], help="record an analyst's decision on a hit (ops.runs too)"
    )
    hd.add_argument("hit_id", help="hit id as `fcc hits list` shows it (8+ leading hex digits)")
    hd.add_argument(
        "--decision",
        required=True,
        choices=["false_positive", "true_match"],
        help="false_positive: suppressed while customer and entry are unchanged; "
        "true_match: the customer is the listed party",
    )
    hd.add_argument("--reason", required=True, help="why (stored with the decision)")
    hd.add_argument(
        "--analyst",
        default=os.environ.get("FCC_ANALYST") or os.environ.get("USER") or "unknown",
        help="who decides (default FCC_ANALYST or USER)",
    )

    va = sub.add_parser(
        "validate", parents=[common], help="validate alerts and rule hits against labelled outcomes"
    )
    va.add_argument("--as-of", type=_date, required=True, help="business date D (YYYY-MM-DD)")
    va.add_argument(
        "--labels",
        metavar="TABLE",
        help="labels table or Delta/Parquet/CSV path (default: truth tables)",
    )
    tu = sub.add_parser(
        "tune",
        parents=[common],
        help="above/below-the-line sweep of a rule or a coded detector; writes a proposal",
    )
    what = tu.add_mutually_exclusive_group(required=True)
    what.add_argument("--rule", help="rule id of conf/typologies/*.yaml")
    what.add_argument(
        "--detector",
        metavar="NAME",
        help="coded detector of conf/typologies.yaml (fan_in, cycle, structuring ...), "
        "replayed on the nights of the tuning window",
    )
    tu.add_argument(
        "--as-of",
        type=_date,
        help="last date swept (default: latest gold.features date for a rule, "
        "latest silver.transactions date for a detector)",
    )
    tu.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="PARAM=V1,V2,...",
        help="values of one parameter",
    )
    tu.add_argument("--labels", metavar="TABLE", help="labels table (as for validate)")
    tu.add_argument(
        "--out", help="proposal file to write (.yaml or .json); never conf/ (default: none)"
    )
    rep = sub.add_parser("report", parents=[common], help="write the HTML model-governance report")
    rep.add_argument("--as-of", type=_date, required=True, help="business date D (YYYY-MM-DD)")
    rep.add_argument("--out", required=True, help="HTML file to write")
    mo = sub.add_parser("model", help="the supervised model beside the rules")
    mo_sub = mo.add_subparsers(dest="model_command", required=True, metavar="ACTION")
    mt = mo_sub.add_parser(
        "train", parents=[common], help="train, calibrate, validate and register a GBT model"
    )
    mt.add_argument("--as-of", type=_date, required=True, help="business date D (YYYY-MM-DD)")
    mt.add_argument("--labels", metavar="TABLE", help="labels table (as for validate)")
    imp = sub.add_parser(
        "import", parents=[common], help="import an external file into bronze with a mapping"
    )
    imp.add_argument(
        "--kind",
        required=True,
        choices=[
            "customers",
            "fiat",
            "onchain",
            "internal",
            "trades",
            "identifiers",
            "address_labels",
            "fx_rates",
            "labels",
        ],
    )
    imp.add_argument("--file", required=True, help="file or folder to import")
    imp.add_argument(
        "--format",
        choices=["csv", "parquet", "json", "patterns"],
        help="default: the mapping's source.format",
    )
    imp.add_argument(
        "--mapping",
        required=True,
        metavar="MAPPING.yaml",
        help="e.g. conf/mappings/amlworld_transactions.yaml",
    )
    imp.add_argument("--batch-id", help="landing batch id (default: hash of path, size, mtime)")

    k8s = sub.add_parser("k8s", help="operate the deployed CronJobs: run-now, backfill, status")
    from fcc.k8s import add_k8s_commands

    add_k8s_commands(k8s)

    ex = sub.add_parser("export", help="export data for sharing outside the platform")
    ex_sub = ex.add_subparsers(dest="export_command", required=True, metavar="KIND")
    ps = ex_sub.add_parser(
        "pseudonymised",
        parents=[common],
        help="copy a table with customer ids replaced by keyed HMAC-SHA256 pseudonyms and "
        "names, dates of birth and addresses dropped",
    )
    ps.add_argument("--table", required=True, help="registered table, e.g. gold.features")
    ps.add_argument("--out", required=True, help="output folder (overwritten)")
    ps.add_argument(
        "--key-env",
        default="FCC_EXPORT_KEY",
        metavar="VAR",
        help="environment variable holding the HMAC key (default FCC_EXPORT_KEY); the same key "
        "gives the same pseudonyms in every table",
    )
    ps.add_argument("--format", choices=["parquet", "delta"], default="parquet")

    docs = sub.add_parser("docs", parents=[common], help="regenerate generated documentation")
    docs.add_argument(
        "what", choices=["tables"], help="tables: docs/tables.md from the table registry"
    )
    docs.add_argument("--out", default="docs/tables.md")
    return parser


def _load_cfg(args: argparse.Namespace):
    from fcc.core.config import load_config

    overrides = list(args.overrides)
    lakehouse = getattr(args, "out", None) if args.command == "generate" else None
    lakehouse = lakehouse or args.lakehouse or os.environ.get("FCC_LAKEHOUSE")
    if lakehouse:
        overrides.append(f"lakehouse={lakehouse}")
    cfg = load_config(env=args.env, extra_files=args.conf, overrides=overrides)
    if "://" not in cfg.lakehouse:
        cfg = cfg.model_copy(update={"lakehouse": str(Path(cfg.lakehouse).resolve())})
    return cfg


def _cmd_run(args, cfg) -> int:
    from fcc.core.config import config_hash
    from fcc.core.lakehouse import Lakehouse
    from fcc.core.spark import session_for
    from fcc.pipeline import run_job

    log.info(
        "job %s as_of=%s config=%s lakehouse=%s",
        args.job,
        args.as_of,
        config_hash(cfg)[:12],
        cfg.lakehouse,
    )
    spark = session_for(cfg, app_name=f"fcc-{args.job}")
    run_id, results = run_job(
        spark,
        Lakehouse(spark, cfg.lakehouse),
        cfg,
        args.job,
        args.as_of,
        options={"full": args.full},
    )
    log.info("run %s succeeded (%d steps)", run_id, len(results))
    return EXIT_OK


def _synth_settings(args, cfg):
    """The generator's settings with the command's --amount-scale / --background-density."""
    if args.customers <= 0 or args.days <= 0:
        raise UsageError("--customers and --days must be positive")
    knobs = {
        "amount_scale": getattr(args, "amount_scale", None),
        "background_density": getattr(args, "background_density", None),
    }
    for name, value in knobs.items():
        if value is not None and not value > 0:
            raise UsageError(f"--{name.replace('_', '-')} must be a positive number, got {value}")
    return cfg.synth.model_copy(update={k: v for k, v in knobs.items() if v is not None})


def _generate(spark, cfg, synth, args, end: date) -> None:
    from fcc.synth import generate

    counts = generate(
        spark,
        cfg.lakehouse,
        customers=args.customers,
        days=args.days,
        seed=args.seed,
        end_date=end,
        cfg=synth,
    )
    for name, n in counts.items():
        log.info("generated %-32s %d rows", name, n)


def _cmd_generate(args, cfg) -> int:
    from datetime import timedelta

    from fcc.core.spark import session_for

    synth = _synth_settings(args, cfg)
    end = args.end_date or (date.today() - timedelta(days=1))
    spark = session_for(cfg, app_name="fcc-generate")
    _generate(spark, cfg, synth, args, end)
    return EXIT_OK


def _cmd_demo(args, cfg) -> int:
    """Generate the data set unless the lakehouse has one, run the nightly for its last day and
    print the summary, in one Spark application."""
    from fcc.core.tables import bronze
    from fcc.pipeline import run_job
    from fcc.summary import nightly_summary

    synth = _synth_settings(args, cfg)
    spark, lakehouse = _session(cfg, "demo")
    if lakehouse.exists(bronze.CUSTOMERS):
        log.info("demo: %s already holds generated data; not generating", cfg.lakehouse)
    else:
        _generate(spark, cfg, synth, args, args.as_of)
        spark.catalog.clearCache()
    run_id, results = run_job(spark, lakehouse, cfg, "nightly", args.as_of)
    log.info("run %s succeeded (%d steps)", run_id, len(results))
    print(nightly_summary(lakehouse, args.as_of))
    return EXIT_OK


def _session(cfg, name: str):
    from fcc.core.lakehouse import Lakehouse
    from fcc.core.spark import session_for

    spark = session_for(cfg, app_name=f"fcc-{name}")
    return spark, Lakehouse(spark, cfg.lakehouse)


def _cmd_backfill(args, cfg) -> int:
    from fcc.pipeline import backfill

    if args.end < args.start:
        raise UsageError(f"--to {args.end} is before --from {args.start}")
    spark, lakehouse = _session(cfg, "backfill")
    outcomes = backfill(
        spark, lakehouse, cfg, args.start, args.end, force=args.force, steps=args.steps
    )
    for day, outcome in outcomes:
        print(f"{day}  {outcome}")
    return EXIT_OK


def _cmd_replay(args, cfg) -> int:
    from fcc.pipeline import replay

    spark, lakehouse = _session(cfg, "replay")
    scratch = args.scratch or f"{cfg.lakehouse}/_replay/{args.run_id}"
    try:
        result = replay(spark, lakehouse, args.run_id, scratch)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    for table, diff in result.differences.items():
        print(f"{table}: {'identical' if diff == 0 else f'{diff} differing rows'}")
    print(
        f"replay {result.replay_run_id} of {result.run_id}: {'IDENTICAL' if result.identical else 'DIFFERENT'}"
    )
    return EXIT_OK if result.identical else EXIT_FAILURE


def _cmd_lists(args, cfg) -> int:
    import time

    from fcc.ingest.lists import ListFormatError, load_parsed, parse_list

    if args.lists_command == "refresh":
        from fcc.ingest.lists.refresh import refresh_lists

        spark, lakehouse = _session(cfg, "lists")
        for result in refresh_lists(spark, lakehouse):
            print(" ".join(f"{k}={v}" for k, v in result.items()))
        return EXIT_OK

    if not Path(args.path).exists():
        raise UsageError(f"no such file or folder: {args.path}")
    if args.format in ("csv", "json") and not args.list_name:
        raise UsageError(f"--format {args.format} needs --list-name (e.g. INTERNAL-BLOCK)")
    started = time.monotonic()
    try:  # parse before starting Spark: a bad file fails in a second
        parsed = parse_list(args.path, args.format, args.list_version, args.list_name)
    except ListFormatError as exc:
        raise UsageError(str(exc)) from exc
    spark, lakehouse = _session(cfg, "lists")
    result = load_parsed(spark, lakehouse, parsed, started)
    print(" ".join(f"{k}={v}" for k, v in result.items()))
    return EXIT_OK


def _screen_query(args):
    """The query of `fcc screen`, checked before Spark starts."""
    from fcc.ingest.lists.countries import to_iso2
    from fcc.ingest.lists.custom import partial_date
    from fcc.screening import Query

    if not args.name.strip():
        raise UsageError("the name to screen is empty")
    if args.limit <= 0:
        raise UsageError("--limit must be positive")
    dob, note = None, None
    if args.dob:
        dob = partial_date(args.dob)  # compared at the precision both sides have
        if dob is None:
            raise UsageError(f"--dob {args.dob!r}: expected YYYY-MM-DD, YYYY-MM or YYYY")
    country = None
    if args.country:
        country = to_iso2(args.country)
        if country is None:
            raise UsageError(f"--country {args.country!r}: not an ISO code or country name")
    return Query(args.name, dob, country, args.type), note


def _cmd_screen(args, cfg) -> int:
    import time

    from fcc.core.tables import silver
    from fcc.screening import SearchError, search_name, watchlist_frame

    started = time.monotonic()
    query, note = _screen_query(args)
    spark, lakehouse = _session(cfg, "screen")
    entries = watchlist_frame(lakehouse.read(silver.WATCHLIST), args.lists)
    if entries.empty:
        held = sorted(
            r[0] for r in lakehouse.read(silver.WATCHLIST).select("list_name").distinct().collect()
        )
        wanted = ", ".join(args.lists) if args.lists else "any list"
        raise UsageError(
            f"silver.watchlist holds no entries of {wanted}; lists held: {', '.join(held) or 'none'}"
        )
    try:
        ranked = search_name(
            spark, entries, query, cfg.screening, min_score=args.min_score, limit=args.limit
        )
    except SearchError as exc:
        raise UsageError(str(exc)) from exc
    lists = ", ".join(sorted(entries["list_name"].unique()))
    print(
        f"screened {query.name!r} type={query.subject_type} dob={query.dob or '-'} "
        f"country={query.country or '-'} against {len(entries)} entries ({lists}); "
        f"threshold {cfg.screening.threshold}"
    )
    if note:
        print(f"note: {note}")
    if ranked.empty:
        print("no candidates")
    else:
        import pandas as pd

        with pd.option_context("display.width", 250, "display.max_colwidth", 40):
            print(ranked.to_string(index=False))
    print(
        f"{len(ranked)} entries, {int(ranked['hit'].sum()) if len(ranked) else 0} at or above "
        f"the threshold, {time.monotonic() - started:.1f} s"
    )
    return EXIT_OK


def _cmd_hits(args, cfg) -> int:
    from fcc.screening import ReviewError, decide_hit, hits_of

    _, lakehouse = _session(cfg, "hits")
    if args.hits_command == "list":
        found = hits_of(lakehouse, args.as_of, args.status)
        if found.empty:
            print(f"no screening hits on {args.as_of}")
            return EXIT_OK
        import pandas as pd

        found["hit_id"] = found["hit_id"].str[:16]
        with pd.option_context("display.width", 250, "display.max_colwidth", 40):
            print(found.to_string(index=False))
        print(f"{len(found)} hits on {args.as_of}")
        return EXIT_OK
    decision = "true_positive" if args.decision == "true_match" else args.decision
    try:
        result = decide_hit(lakehouse, cfg, args.hit_id, decision, args.reason, args.analyst)
    except ReviewError as exc:
        raise UsageError(str(exc)) from exc
    print(" ".join(f"{k}={v}" for k, v in result.items()))
    return EXIT_OK


def _cmd_validate(args, cfg) -> int:
    from fcc.governance import LabelsError, validate

    spark, lakehouse = _session(cfg, "validate")
    try:
        print(validate(spark, lakehouse, cfg, args.as_of, labels_table=args.labels))
    except LabelsError as exc:
        raise UsageError(str(exc)) from exc
    return EXIT_OK


def _cmd_tune(args, cfg) -> int:
    from fcc.governance import (
        LabelsError,
        TuneError,
        detector_grid,
        parse_grid,
        tune,
        tune_detector,
    )

    try:
        grid = parse_grid(args.grid) or None
        if args.detector:  # a bad name or grid is reported before Spark starts
            detector_grid(cfg, args.detector, grid)
        spark, lakehouse = _session(cfg, "tune")
        sweep = tune_detector if args.detector else tune
        print(
            sweep(
                spark,
                lakehouse,
                cfg,
                args.detector or args.rule,
                grid=grid,
                out=args.out,
                as_of=args.as_of,
                labels_table=args.labels,
            )
        )
    except (LabelsError, TuneError) as exc:
        raise UsageError(str(exc)) from exc
    return EXIT_OK


def _cmd_report(args, cfg) -> int:
    from fcc.governance import report

    spark, lakehouse = _session(cfg, "report")
    result = report(spark, lakehouse, cfg, args.as_of, args.out)
    print(f"wrote {args.out}: " + " ".join(f"{k}={v}" for k, v in result.items()))
    return EXIT_OK


def _cmd_model(args, cfg) -> int:
    from fcc.governance import LabelsError, ModelError, train_model

    spark, lakehouse = _session(cfg, "model")
    try:
        print(train_model(spark, lakehouse, cfg, args.as_of, labels_table=args.labels))
    except (LabelsError, ModelError) as exc:
        raise UsageError(str(exc)) from exc
    return EXIT_OK


def _cmd_import(args, cfg) -> int:
    from fcc.imports import ImportFileError, MappingError, import_file, load_mapping

    try:
        load_mapping(args.mapping, args.kind)  # fail fast, before a Spark session
        spark, lakehouse = _session(cfg, "import")
        counts = import_file(
            spark,
            lakehouse,
            args.kind,
            args.file,
            args.format,
            args.mapping,
            batch_id=args.batch_id,
            redact_raw=cfg.ingest.redact_raw,
        )
    except (MappingError, ImportFileError) as exc:
        raise UsageError(str(exc)) from exc
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return EXIT_OK


def _cmd_summary(args, cfg) -> int:
    from fcc.summary import nightly_summary

    _, lakehouse = _session(cfg, "summary")
    print(nightly_summary(lakehouse, args.as_of))
    return EXIT_OK


def _cmd_doctor(args, cfg) -> int:
    from fcc.doctor import run_doctor

    return run_doctor(cfg)


def _cmd_export(args, cfg) -> int:
    from fcc.privacy import ExportError, export_pseudonymised
    from fcc.privacy.export import key_from_env

    try:
        key = key_from_env(args.key_env)  # fail before starting Spark
        _, lakehouse = _session(cfg, "export")
        counts = export_pseudonymised(lakehouse, args.table, args.out, key, fmt=args.format)
    except ExportError as exc:
        raise UsageError(str(exc)) from exc
    print(f"wrote {args.out}: " + " ".join(f"{k}={v}" for k, v in counts.items()))
    return EXIT_OK


def _cmd_docs(args, cfg) -> int:
    from fcc.core.docs import tables_markdown

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(tables_markdown(), encoding="utf-8")
    print(f"wrote {args.out}")
    return EXIT_OK


COMMANDS = {
    "run": _cmd_run,
    "generate": _cmd_generate,
    "demo": _cmd_demo,
    "backfill": _cmd_backfill,
    "replay": _cmd_replay,
    "summary": _cmd_summary,
    "lists": _cmd_lists,
    "screen": _cmd_screen,
    "hits": _cmd_hits,
    "validate": _cmd_validate,
    "tune": _cmd_tune,
    "report": _cmd_report,
    "model": _cmd_model,
    "import": _cmd_import,
    "doctor": _cmd_doctor,
    "docs": _cmd_docs,
    "export": _cmd_export,
}


def _quiet_query_context_loggers() -> None:
    """Silence PySpark's failed-query loggers: their messages quote row values (names, DOBs)."""
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL + 1)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("py4j", "pyspark"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _quiet_query_context_loggers()
    from fcc.core.config import ConfigError
    from fcc.core.runs import LeaseHeld

    if args.command == "k8s":  # talks to the Kubernetes API only; no lakehouse config needed
        return args.k8s_handler(args)
    previous = stop_on_sigterm()
    try:
        cfg = _load_cfg(args)
        return COMMANDS[args.command](args, cfg)
    except Terminated as exc:
        log.error("%s stopped: %s", args.command, exc)
        return EXIT_TERMINATED
    except (ConfigError, UsageError) as exc:
        print(f"fcc: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LeaseHeld as exc:
        print(f"fcc: error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except Exception as exc:
        from fcc.core.runs import safe_error, safe_traceback

        if stop_signal(exc) is not None:  # a step stopped by SIGTERM, recorded as failed
            log.error("%s stopped: %s", args.command, safe_error(exc))
            return EXIT_TERMINATED

        log.error("%s failed: %s", args.command, safe_error(exc))
        log.debug("traceback:\n%s", safe_traceback(exc))
        return EXIT_FAILURE
    finally:
        if previous is not None:  # main() called as a library function: leave no handler behind
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
