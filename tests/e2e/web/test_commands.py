"""`diff`, `report`, `measures`, `timeline --csv` and `web` as a user runs them, on each backend."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from newsledger.api.tokens import Role, entry_line
from newsledger.cli.exits import ExitCode
from newsledger.client.ledger_client import LedgerClient
from tests.support.certificates import make_certificates
from tests.support.paths import SEED_NEGOTIATION as SEED
from tests.support.serve_process import NEWSLEDGER, run_newsledger
from tests.support.web_process import WebProcess

STEPS = "tariff-steps-2027"


def run(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSLEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}"}
    return run_newsledger(*arguments, cwd=tmp_path, env=env)


def test_diff_names_each_change_and_its_developments(
    ledger: LedgerClient, target: str, tmp_path: Path
) -> None:
    text = run(
        tmp_path,
        "diff",
        STEPS,
        "--as-of",
        "2027-04-01",
        "--as-of",
        "2027-04-12",
        "--server",
        target,
    )
    assert text.returncode == 0, text.stderr
    assert 'measures[westmark-levy].rate_percent: "10" → "125"' in text.stdout
    assert (
        "caused by westmark-levy-125 (TariffMeasureChanged, counts from 2027-04-10)" in text.stdout
    )
    as_json = run(
        tmp_path,
        "diff",
        STEPS,
        "--as-of",
        "2027-04-01",
        "--as-of",
        "2027-04-12",
        "--json",
        "--server",
        target,
    )
    found = json.loads(as_json.stdout)
    assert found["before"]["as_of"] == "2027-04-01" and found["after"]["as_of"] == "2027-04-12"
    (rate,) = [c for c in found["changes"] if c["path"] == "measures[westmark-levy].rate_percent"]
    assert [c["development_id"] for c in rate["caused_by"]] == [
        "westmark-levy-34",
        "westmark-levy-125",
    ]


def test_diff_across_known_at_names_what_the_ledger_learned(
    ledger: LedgerClient, target: str, tmp_path: Path
) -> None:
    """Before anything was recorded nothing is found; so the diff says so, clearly."""
    result = run(
        tmp_path,
        "diff",
        SEED,
        "--known-at",
        "2000-01-01",
        "--known-at",
        "2000-01-02",
        "--server",
        target,
    )
    assert result.returncode == ExitCode.NOT_FOUND
    assert "NOT_FOUND" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--as-of", "2025-06-11"], "the two points are the same"),
        (["--as-of", "2025-06-31", "--as-of", "2025-07-01"], "--as-of: '2025-06-31' is not a date"),
        (["--known-at", "noon", "--known-at", "2025-07-01"], "--known-at: 'noon' is neither"),
        (["--as-of", "a", "--as-of", "b", "--as-of", "c"], "at most two values"),
    ],
)
def test_diff_refuses_bad_points_with_one_line(
    target: str, tmp_path: Path, arguments: list[str], says: str
) -> None:
    result = run(tmp_path, "diff", SEED, *arguments, "--server", target)
    assert result.returncode == 2
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_report_writes_one_self_contained_file(
    ledger: LedgerClient, target: str, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    result = run(
        tmp_path, "report", SEED, "--html", str(out), "--as-of", "2025-06-11", "--server", target
    )
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "62 days remaining as of 2025-06-11" in html
    assert "<script" not in html and 'rel="stylesheet"' not in html
    assert re.findall(r'<section id="x-\d+" class="explanation">', html)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_timeline_csv_and_ndjson_list_every_development(
    ledger: LedgerClient, target: str, tmp_path: Path
) -> None:
    expected = [entry.development_id for entry in ledger.timeline(SEED)]
    as_csv = run(tmp_path, "timeline", SEED, "--csv", "--server", target)
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [row["development_id"] for row in rows] == expected
    as_ndjson = run(tmp_path, "timeline", SEED, "--ndjson", "--server", target)
    assert [
        json.loads(line)["development_id"] for line in as_ndjson.stdout.splitlines()
    ] == expected


def test_measures_over_time_as_csv_and_text(
    ledger: LedgerClient, target: str, tmp_path: Path
) -> None:
    as_csv = run(tmp_path, "measures", STEPS, "--as-of", "2027-06-01", "--csv", "--server", target)
    assert as_csv.returncode == 0, as_csv.stderr
    levy = [
        r for r in csv.DictReader(io.StringIO(as_csv.stdout)) if r["measure_id"] == "eastland-levy"
    ]
    assert [(r["from"], r["rate_percent"], r["status"]) for r in levy] == [
        ("2027-02-10", "10", "in_force"),
        ("2027-04-04", "34", "modified"),
        ("2027-04-11", "125", "modified"),
        ("2027-05-14", "10", "modified"),  # the truce agreed on 12 May takes effect on 14 May
    ]
    text = run(tmp_path, "measures", STEPS, "--as-of", "2027-06-01", "--server", target)
    assert "2027-04-11 to 2027-05-13  modified" in text.stdout


@pytest.fixture
def web_process(tmp_path: Path) -> Iterator[list[WebProcess]]:
    started: list[WebProcess] = []
    yield started
    for process in started:
        process.stop()


def test_web_needs_a_reader_s_token_when_tokens_are_configured(
    ledger: LedgerClient, target: str, tmp_path: Path, web_process: list[WebProcess]
) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text(entry_line(Role.READER, "dashboard", "reader-secret") + "\n")
    web = WebProcess(tmp_path, "--server", target, "--tokens-file", str(tokens))
    web_process.append(web)
    assert httpx.get(f"{web.url}/").status_code == 401
    assert httpx.get(f"{web.url}/", auth=("me", "wrong")).status_code == 401
    page = httpx.get(f"{web.url}/n/{SEED}?as_of=2025-06-11", auth=("me", "reader-secret"))
    assert page.status_code == 200 and 'data-days-remaining="62"' in page.text


def test_web_serves_https_with_a_certificate(
    ledger: LedgerClient, target: str, tmp_path: Path, web_process: list[WebProcess]
) -> None:
    certs = make_certificates(tmp_path)
    web = WebProcess(
        tmp_path,
        "--server",
        target,
        "--tls-cert",
        str(certs.server_cert),
        "--tls-key",
        str(certs.server_key),
    )
    web_process.append(web)
    assert web.url.startswith("https://")
    page = httpx.get(f"{web.url}/", verify=ssl.create_default_context(cafile=str(certs.ca)))
    assert page.status_code == 200 and SEED in page.text


@pytest.mark.parametrize(
    ("arguments", "says", "code"),
    [
        (
            ["--address", "0.0.0.0:0"],
            "refusing to serve the page on 0.0.0.0:0 without authentication",
            ExitCode.USAGE,
        ),
        (
            ["--address", "[::]:0"],
            "refusing to serve the page on [::]:0 without authentication",
            ExitCode.USAGE,
        ),
        (["--address", "127.0.0.1:http"], "'127.0.0.1:http' is not HOST:PORT", ExitCode.USAGE),
        (
            ["--tls-cert", "missing.pem", "--tls-key", "missing.key"],
            "cannot read the TLS certificate",
            ExitCode.INVALID_INPUT,
        ),
        (
            ["--tls-cert", "only-cert.pem"],
            "TLS needs both --tls-cert and --tls-key",
            ExitCode.INVALID_INPUT,
        ),
    ],
)
def test_web_refuses_what_it_must_with_one_line(
    tmp_path: Path, arguments: list[str], says: str, code: ExitCode
) -> None:
    env = {**os.environ, "NEWSLEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}"}
    env.pop("NEWSLEDGER_TOKENS", None)
    result = subprocess.run(
        [*NEWSLEDGER, "web", *arguments],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == code, result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr
