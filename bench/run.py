"""Run the benchmark: newsledger via gRPC, `eventsourcing` in-process, the raw database.

    .venv/bin/python -m bench [--quick] [--backend sqlite|postgres|both]

Needs the bench extra (`pip install -e '.[bench]'`). PostgreSQL is reached through
--postgres-url (default: $NEWSLEDGER_BENCH_POSTGRES_URL, else $NEWSLEDGER_TEST_DATABASE_URL,
else postgresql://postgres@127.0.0.1:5432/postgres); the run creates its own database there
and drops it at the end. Writes docs/benchmarks.md and docs/benchmarks-throughput.png.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import docs, machine
from bench.backends import DEFAULT_POSTGRES_URL, Backend, PostgresBackend, SqliteBackend
from bench.cases import FULL, QUICK, Config, steps_for
from bench.chart import write_chart
from bench.profile_server import profile_phases
from bench.report import (
    Layout,
    figures,
    in_process,
    memory_and_live,
    scale_table,
    side_by_side,
    targets_table,
)
from bench.results import Results
from bench.scale_checks import ScaleChecks
from bench.side_by_side import SideBySide

ROOT = Path(__file__).resolve().parents[1]


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small workload, one repetition")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    default_url = (
        os.environ.get("NEWSLEDGER_BENCH_POSTGRES_URL")
        or os.environ.get("NEWSLEDGER_TEST_DATABASE_URL")
        or DEFAULT_POSTGRES_URL
    )
    parser.add_argument("--postgres-url", default=default_url, metavar="URL")
    parser.add_argument("--reps", type=int, default=None, help="repetitions (full 3, quick 1)")
    parser.add_argument(
        "--scale-steps",
        default=None,
        metavar="N,N,…",
        help="log sizes of the scale checks (full 10000,100000,1000000; empty: skip them)",
    )
    parser.add_argument(
        "--postgres-scale-steps",
        default=None,
        metavar="N,N,…",
        help="the same on PostgreSQL (full 10000,100000; default: as --scale-steps if given)",
    )
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-docs", action="store_true", help="print only; write no files")
    parser.add_argument("--json", type=Path, default=None, help="also write every value here")
    parser.add_argument(
        "--from-json",
        type=Path,
        default=None,
        metavar="PATH",
        help="measure nothing: rewrite the report from a --json file of an earlier run\n"
        "(give the same --quick/--scale-steps options that run had)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run py-spy on the server during a 100-batch append and the log read,\n"
        "and put the hot spots in the report (adds about a minute per backend)",
    )
    return parser.parse_args(argv)


def _config(args: argparse.Namespace) -> Config:
    config = QUICK if args.quick else FULL
    if args.reps is not None:
        config = replace(config, reps=args.reps)
    if args.scale_steps is not None:
        steps = _steps(args.scale_steps)
        config = replace(config, scale_steps=steps, postgres_scale_steps=steps)
    if args.postgres_scale_steps is not None:
        config = replace(config, postgres_scale_steps=_steps(args.postgres_scale_steps))
    return config


def _steps(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def _open_backend(name: str, args: argparse.Namespace, results: Results) -> Backend | None:
    if name == "sqlite":
        return SqliteBackend()
    try:
        return PostgresBackend(args.postgres_url)
    except Exception as error:  # no server, no rights: say so and go on with SQLite
        results.note(
            f"PostgreSQL skipped: cannot create a database at {args.postgres_url}: {error}"
        )
        return None


def _run_backend(backend: Backend, results: Results, config: Config, profile: bool) -> None:
    print(f"# {backend.name}: {backend.versions()}", flush=True)
    results.info.setdefault("versions", {}).update(backend.versions())
    side = SideBySide(backend, results, config)
    for number in range(config.reps):
        started = time.perf_counter()
        side.repetition(number)
        print(
            f"#   repetition {number + 1}/{config.reps}: {time.perf_counter() - started:.0f}s",
            flush=True,
        )
    if steps_for(config, backend.name):
        started = time.perf_counter()
        ScaleChecks(backend, results, config).run()
        print(f"#   scale checks: {time.perf_counter() - started:.0f}s", flush=True)
    if profile:
        out = Path(tempfile.mkdtemp(prefix="nl-profile-"))
        spots = profile_phases(backend, out)
        results.info.setdefault("profiles", {})[backend.name] = spots
        print(f"#   profiles in {out}", flush=True)


def _print_summary(results: Results, config: Config) -> None:
    layout = Layout.of(config)
    for backend in results.backends():
        print(f"\n## {backend}: medians (ev/s) and newsledger's ratios\n")
        print(side_by_side(results, backend, layout))
        print(f"\n## {backend}: 100-event batches in-process\n")
        print(in_process(results, backend))
        if layout.steps(backend):
            print(f"\n## {backend}: scale checks\n")
            print(scale_table(results, backend, layout))
    print("\n## live subscribers and server memory\n")
    print(memory_and_live(results, layout))
    other = figures(results)
    if other:
        print("\n## figures\n")
        print(other)
    for note in results.notes:
        print(f"# note: {note}")
    print("\n## targets\n")
    print(targets_table(results))


def _write_docs(args: argparse.Namespace, config: Config, results: Results) -> None:
    if args.no_docs:
        return
    chart = args.docs.with_name("benchmarks-throughput.png")
    drew = write_chart(results, list(config.batch_events), chart)
    command = results.info.get("command", ".venv/bin/python -m bench")
    quick = bool(results.info.get("quick", args.quick))
    text = docs.render(results, config, quick, chart if drew else None, command)
    args.docs.write_text(text + "\n")
    print(f"# wrote {args.docs}" + (f" and {chart}" if drew else ""), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the report."""
    args = _arguments(argv)
    config = _config(args)
    if args.from_json is not None:
        results = Results.load(args.from_json)
        if "config" in results.info:  # the run's own sizes, whatever the options now say
            config = Config(**results.info["config"])
            config = replace(
                config, batch_events={int(b): n for b, n in config.batch_events.items()}
            )
        results.info["scale_steps"] = {
            "sqlite": config.scale_steps,
            "postgres": config.postgres_scale_steps,
        }
        _write_docs(args, config, results)
        _print_summary(results, config)
        return 0
    results = Results()
    results.info["machine"] = machine.describe(ROOT)
    results.info["scale_steps"] = {
        "sqlite": config.scale_steps,
        "postgres": config.postgres_scale_steps,
    }
    results.info["config"] = asdict(config)
    results.info["quick"] = args.quick
    arguments = argv if argv is not None else sys.argv[1:]
    results.info["command"] = shlex.join([".venv/bin/python", "-m", "bench", *arguments])
    started = time.perf_counter()
    sampler = machine.LoadSampler()
    sampler.start()
    names = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for name in names:
        backend = _open_backend(name, args, results)
        if backend is None:
            continue
        try:
            _run_backend(backend, results, config, args.profile)
        finally:
            backend.close()
            if args.json:
                results.save(args.json)  # after each backend, so a crash keeps the first
    elapsed = time.perf_counter() - started
    machine_info = results.info["machine"]
    machine_info.update(results.info.get("versions", {}))
    machine_info["load average at end"] = machine.load_average()
    machine_info.update(sampler.stop())
    machine_info["run time"] = f"{elapsed / 60:.1f} min"
    if args.json:
        results.save(args.json)
    _write_docs(args, config, results)
    print(f"# total {elapsed / 60:.1f} min", flush=True)
    for name in ("load average at start", *sampler_keys(machine_info)):
        print(f"# {name}: {machine_info[name]}", flush=True)
    _print_summary(results, config)  # the targets table comes last
    return 0


def sampler_keys(machine_info: dict[str, str]) -> list[str]:
    """Return the keys of the load figures in the machine facts."""
    return [key for key in machine_info if "during the run" in key]


if __name__ == "__main__":
    sys.exit(main())
