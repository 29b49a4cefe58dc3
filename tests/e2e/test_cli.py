"""The `newsledger` command, run as a real process against a real server, on each backend."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from google.protobuf import json_format

from newsledger.cli.exits import ExitCode
from newsledger.cli.main import build_parser
from newsledger.client.ledger_client import LedgerClient, proposed
from newsledger.store.migrate import head_revision
from tests.support.paths import SEED_STORY
from tests.support.payloads import report
from tests.support.serve_process import NEWSLEDGER, run_newsledger

NEGOTIATION = "us-china-trade-2025"
STREAM = f"negotiation-{NEGOTIATION}"
SEED_EVENTS = 47


@dataclass(frozen=True)
class Cli:
    """Runs `python -m newsledger` in a scratch directory with a given environment."""

    cwd: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run the command to completion and capture its output."""
        return run_newsledger(*args, cwd=self.cwd, env=self.env, timeout=timeout)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """Return the command, with the default database pointed at a scratch file."""
    env = {**os.environ, "NEWSLEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}"}
    return Cli(cwd=tmp_path, env=env)


@pytest.fixture
def seeded(cli: Cli, target: str) -> str:
    """Ingest the seed story through the command; return the server address."""
    ingested = cli.run("ingest", str(SEED_STORY), "--server", target)
    assert ingested.returncode == 0, ingested.stderr
    return target


def log_positions(client: LedgerClient) -> list[tuple[str, int]]:
    return [(event.event_id, event.position) for event in client.iter_log()]


def free_port() -> int:
    """Return a loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def subcommands() -> list[str]:
    parser = build_parser()
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(action.choices)


class TestIngest:
    def test_the_seed_story_is_ingested_once_and_a_second_run_changes_nothing(
        self, cli: Cli, target: str, client: LedgerClient
    ) -> None:
        """Given an empty server, ingest records every event; running it again adds none."""
        first = cli.run("ingest", str(SEED_STORY), "--server", target)
        assert first.returncode == 0, first.stderr
        assert f"{SEED_EVENTS} events for negotiation {NEGOTIATION}" in first.stdout
        assert f"({SEED_EVENTS} new, 0 already recorded)" in first.stdout
        log = log_positions(client)
        assert len(log) == SEED_EVENTS

        second = cli.run("ingest", str(SEED_STORY), "--server", target, "--json")

        assert second.returncode == 0, second.stderr
        report = json.loads(second.stdout)
        assert (report["new"], report["already_recorded"]) == (0, SEED_EVENTS)
        assert log_positions(client) == log

    def test_a_bad_story_file_is_invalid_input_naming_file_line_and_field(
        self, cli: Cli, target: str, client: LedgerClient, tmp_path: Path
    ) -> None:
        """Given a story misspelling a ruling's `court`, nothing is sent and the line shows."""
        lines = SEED_STORY.read_text(encoding="utf-8").splitlines()
        line = lines.index("      court: U.S. federal appeals court") + 1
        lines[line - 1] = "      courtt: U.S. federal appeals court"
        bad = tmp_path / "bad-story.yaml"
        bad.write_text("\n".join(lines), encoding="utf-8")

        result = cli.run("ingest", str(bad), "--server", target)

        assert result.returncode == ExitCode.INVALID_INPUT
        assert (
            f"bad-story.yaml:{line}: developments[32] (appeals-court-tariff-collection)"
            ".payload.courtt: unknown field"
        ) in result.stderr
        assert "Traceback" not in result.stderr
        assert log_positions(client) == []

    def test_a_missing_story_file_is_not_found_naming_it(self, cli: Cli, target: str) -> None:
        """Given a path with no file, the command says which file, without a traceback."""
        result = cli.run("ingest", "no-such-story.yaml", "--server", target)
        assert result.returncode == ExitCode.NOT_FOUND
        assert "no-such-story.yaml" in result.stderr
        assert "Traceback" not in result.stderr

    def test_a_directory_given_as_a_story_file_is_invalid_input_asking_for_a_file(
        self, cli: Cli, target: str, tmp_path: Path
    ) -> None:
        """Given a directory where a story file belongs, the command says to give a file."""
        result = cli.run("ingest", str(tmp_path), "--server", target)
        assert result.returncode == ExitCode.INVALID_INPUT
        assert f"{tmp_path}: Is a directory: give the path of a file" in result.stderr
        assert "Traceback" not in result.stderr


CONTINUATION = f"""\
continues: {NEGOTIATION}
developments:
  - id: lutnick-after-london
    type: StatementMade
    payload:
      statement_id: lutnick-after-london
      speaker_id: howard-lutnick
      kind: STATEMENT_KIND_REMARK
      report:
        occurred: {{precision: DATE_PRECISION_DAY, start_date: "2025-06-20"}}
        sources: [{{source_id: wire-0620, outlet: Example Wire, kind: SOURCE_KIND_WIRE,
                    quotes: [{{speaker_id: howard-lutnick, text: "We are moving ahead",
                               verbatim: true}}]}}]
"""

ONE_DEVELOPMENT = """\
id: next-round-scheduled
type: NextRoundStatusChanged
payload:
  status: NEXT_ROUND_STATUS_SCHEDULED
  report:
    occurred: {precision: DATE_PRECISION_DAY, start_date: "2025-06-25"}
    sources: [{source_id: wire-0625, outlet: Example Wire, kind: SOURCE_KIND_WIRE}]
"""

A_CORRECTION = """\
- id: lutnick-after-london-corroborated
  type: SourceAttached
  corrects: [lutnick-after-london]
  payload:
    report:
      occurred: {precision: DATE_PRECISION_DAY, start_date: "2025-06-26"}
      sources: [{source_id: desk-0626, outlet: Example Desk, kind: SOURCE_KIND_OTHER}]
"""


class TestContinuing:
    """Later files and single developments extend the seed negotiation, on each backend."""

    def test_a_continuation_file_and_single_adds_extend_the_seed_and_the_view_shows_them(
        self, cli: Cli, seeded: str, client: LedgerClient, tmp_path: Path
    ) -> None:
        later = tmp_path / "june-20.yaml"
        later.write_text(CONTINUATION, encoding="utf-8")
        single = tmp_path / "next-round.yaml"
        single.write_text(ONE_DEVELOPMENT, encoding="utf-8")

        ingested = cli.run("ingest", str(later), "--server", seeded)
        added = cli.run("add", NEGOTIATION, str(single), "--server", seeded)
        piped = subprocess.run(
            [*NEWSLEDGER, "add", NEGOTIATION, "-", "--server", seeded, "--json"],
            input=A_CORRECTION,
            cwd=cli.cwd,
            env=cli.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

        assert "1 event for negotiation us-china-trade-2025 (1 new, 0 already recorded)" in (
            ingested.stdout
        ), ingested.stderr
        assert "next-round.yaml: 1 event for" in added.stdout, added.stderr
        assert json.loads(piped.stdout)["new"] == 1, piped.stderr
        assert len(log_positions(client)) == SEED_EVENTS + 3
        state = cli.run("state", NEGOTIATION, "--as-of", "2025-06-30", "--server", seeded)
        assert "next round  scheduled" in state.stdout
        assert "We are moving ahead" in state.stdout
        view = json.loads(cli.run("state", NEGOTIATION, "--json", "--server", seeded).stdout)
        assert not view.get("stale") and not view.get("problems")

    def test_adding_again_writes_nothing_and_says_so(
        self, cli: Cli, seeded: str, client: LedgerClient, tmp_path: Path
    ) -> None:
        single = tmp_path / "next-round.yaml"
        single.write_text(ONE_DEVELOPMENT, encoding="utf-8")
        assert cli.run("add", NEGOTIATION, str(single), "--server", seeded).returncode == 0
        log = log_positions(client)
        again = cli.run("add", NEGOTIATION, str(single), "--server", seeded)
        assert "(0 new, 1 already recorded); nothing new written" in again.stdout
        assert log_positions(client) == log

    def test_a_changed_development_names_file_line_id_field_and_what_to_do(
        self, cli: Cli, seeded: str, client: LedgerClient, tmp_path: Path
    ) -> None:
        single = tmp_path / "next-round.yaml"
        single.write_text(ONE_DEVELOPMENT, encoding="utf-8")
        cli.run("add", NEGOTIATION, str(single), "--server", seeded)
        log = log_positions(client)
        single.write_text(ONE_DEVELOPMENT.replace("2025-06-25", "2025-06-24"), encoding="utf-8")
        line = assert_one_line_error(
            cli.run("add", NEGOTIATION, str(single), "--server", seeded), ExitCode.INVALID_INPUT
        )
        assert (
            "next-round.yaml:6: developments[0] (next-round-scheduled).payload.report.occurred."
            "start_date: differs from development next-round-scheduled as recorded (recorded "
            '"2025-06-25", here "2025-06-24")'
        ) in line
        assert "add a correction" in line
        assert log_positions(client) == log

    def test_adding_to_an_unknown_negotiation_is_not_found(
        self, cli: Cli, seeded: str, tmp_path: Path
    ) -> None:
        single = tmp_path / "next-round.yaml"
        single.write_text(ONE_DEVELOPMENT, encoding="utf-8")
        line = assert_one_line_error(
            cli.run("add", "no-such-talks", str(single), "--server", seeded), ExitCode.NOT_FOUND
        )
        assert "no negotiation 'no-such-talks' is recorded" in line

    def test_adding_a_directory_asks_for_a_file(
        self, cli: Cli, seeded: str, tmp_path: Path
    ) -> None:
        line = assert_one_line_error(
            cli.run("add", NEGOTIATION, str(tmp_path), "--server", seeded), ExitCode.INVALID_INPUT
        )
        assert f"{tmp_path}: Is a directory: give the path of a file" in line


class TestState:
    def test_state_shows_the_truce_deadline_days_remaining_and_the_framework(
        self, cli: Cli, seeded: str
    ) -> None:
        """Given the seed story, on 11 June 2025 the truce ends 12 August, 62 days away."""
        result = cli.run("state", NEGOTIATION, "--as-of", "2025-06-11", "--server", seeded)

        assert result.returncode == 0, result.stderr
        assert "phase       agreed in principle" in result.stdout
        assert "deadline  2025-08-12 00:01 EDT (America/New_York) = 2025-08-12 04:01 UTC" in (
            result.stdout
        )
        assert "62 days remaining as of 2025-06-11" in result.stdout
        assert "London framework to resume trade negotiations: agreed in principle" in (
            result.stdout
        )
        assert "next round  not scheduled" in result.stdout

    def test_state_json_is_the_get_negotiation_view(
        self, cli: Cli, seeded: str, client: LedgerClient
    ) -> None:
        """Given the seed story, --json prints exactly the view GetNegotiation returns."""
        result = cli.run(
            "state", NEGOTIATION, "--as-of", "2025-06-11", "--json", "--server", seeded
        )

        assert result.returncode == 0, result.stderr
        response = client.negotiation(NEGOTIATION, as_of="2025-06-11")
        expected = json_format.MessageToDict(response.view, preserving_proto_field_name=True)
        assert json.loads(result.stdout) == expected
        assert expected["truce"]["days_remaining"] == 62

    def test_an_unknown_negotiation_exits_3_with_not_found(self, cli: Cli, seeded: str) -> None:
        """Given no such negotiation, the command reports NOT_FOUND and exits 3 (not found)."""
        result = cli.run("state", "no-such-talks", "--server", seeded)
        assert result.returncode == ExitCode.NOT_FOUND
        assert "NOT_FOUND: no negotiation has the id 'no-such-talks'" in result.stderr


class TestNegotiations:
    def test_the_listing_shows_the_seed_negotiation(self, cli: Cli, seeded: str) -> None:
        """Given the seed story, one line names it, its parties and its last event."""
        result = cli.run("negotiations", "--server", seeded)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == [
            f"{NEGOTIATION}  US\u2013China trade negotiation, 2025 (United States, China), "
            f"last event #{SEED_EVENTS - 1}"
        ]

    def test_the_json_listing_is_the_summaries(self, cli: Cli, seeded: str) -> None:
        """Given the seed story, --json prints each summary ListNegotiations returns, one a line."""
        result = cli.run("negotiations", "--json", "--server", seeded)
        assert [json.loads(line) for line in result.stdout.splitlines()] == [
            {
                "negotiation_id": NEGOTIATION,
                "title": "US\u2013China trade negotiation, 2025",
                "parties": ["United States", "China"],
                "stream": STREAM,
                "last_position": str(SEED_EVENTS - 1),
                "party_ids": ["us", "cn"],
                "phase": "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE",
            }
        ]

    def test_an_empty_server_says_there_are_none(self, cli: Cli, target: str) -> None:
        """Given nothing ingested, the listing says so instead of printing nothing."""
        result = cli.run("negotiations", "--server", target)
        assert result.returncode == 0
        assert result.stdout.startswith("no negotiations recorded yet")


class TestEvents:
    def test_the_log_reads_forward_one_line_per_event(self, cli: Cli, seeded: str) -> None:
        """Given the seed story, `events` prints every event from position 0 in order."""
        lines = cli.run("events", "--server", seeded).stdout.splitlines()
        assert len(lines) == SEED_EVENTS
        assert lines[0].startswith("#0  ")
        assert f"  {STREAM}@0  NegotiationOpened  negotiation-opened " in lines[0]

    def test_backward_with_a_limit_prints_the_newest_first(self, cli: Cli, seeded: str) -> None:
        """Given --backward --limit 2 on the stream, the last two versions print, newest first."""
        result = cli.run(
            "events", "--stream", STREAM, "--backward", "--limit", "2", "--server", seeded
        )
        lines = result.stdout.splitlines()
        assert [line.split()[0] for line in lines] == [f"#{SEED_EVENTS - 1}", f"#{SEED_EVENTS - 2}"]
        assert "DatePrecisionRefined  london-talks-on-9-and-10-june" in lines[0]

    @pytest.mark.parametrize("scope", [[], ["--stream", STREAM]], ids=["log", "stream"])
    def test_type_filters_the_log_and_a_stream(
        self, cli: Cli, seeded: str, scope: list[str]
    ) -> None:
        """Given --type TalksHeld, only the three talks print, reading the log or the stream."""
        result = cli.run("events", *scope, "--type", "TalksHeld", "--server", seeded)
        lines = result.stdout.splitlines()
        assert [line.split()[5:7] for line in lines] == [
            ["TalksHeld", "geneva-talks"],
            ["TalksHeld", "trump-xi-call"],
            ["TalksHeld", "london-talks"],
        ]

    def test_json_lines_are_the_recorded_events_with_every_field(
        self, cli: Cli, seeded: str, client: LedgerClient
    ) -> None:
        """Given --json, each line parses to the recorded event, position 0 included."""
        result = cli.run("events", "--json", "--limit", "3", "--server", seeded)
        records = [json.loads(line) for line in result.stdout.splitlines()]
        expected = [
            json_format.MessageToDict(
                event,
                preserving_proto_field_name=True,
                always_print_fields_with_no_presence=True,
            )
            for event in client.read_log(page_size=3).events
        ]
        assert records == expected
        assert records[0]["position"] == "0"


class TestWithoutAServer:
    @pytest.mark.parametrize(
        "command",
        [
            ["state", NEGOTIATION],
            ["negotiations"],
            ["events"],
            ["watch", NEGOTIATION],
            ["timeline", NEGOTIATION],
            ["explain", NEGOTIATION, "phase"],
            ["export", "--output", "out.ndjson"],
            ["verify"],
        ],
        ids=" ".join,
    )
    def test_a_query_with_no_server_names_the_address_and_exits_5(
        self, cli: Cli, command: list[str]
    ) -> None:
        """Given nothing listening on the address, the error names it and suggests serve."""
        address = f"127.0.0.1:{free_port()}"
        result = cli.run(*command, "--server", address)
        assert result.returncode == ExitCode.UNAVAILABLE
        (first,) = result.stderr.splitlines()
        assert first == (
            f"newsledger: cannot reach a newsledger server at {address}; "
            "is `newsledger serve` running there?"
        )

    @pytest.mark.parametrize(
        "command", [["state", NEGOTIATION], ["export", "--output", "out.ndjson"], ["verify"]]
    )
    def test_the_address_comes_from_newsledger_server_when_not_given(
        self, cli: Cli, command: list[str]
    ) -> None:
        """Given NEWSLEDGER_SERVER and no --server, every client command uses that address."""
        address = f"127.0.0.1:{free_port()}"
        result = run_newsledger(
            *command, cwd=cli.cwd, env={**cli.env, "NEWSLEDGER_SERVER": address}
        )
        assert result.returncode == ExitCode.UNAVAILABLE
        assert f"cannot reach a newsledger server at {address}" in result.stderr


@pytest.mark.parametrize("command", subcommands())
def test_every_subcommand_has_help(cli: Cli, command: str) -> None:
    """Given any subcommand, --help prints its usage and exits 0."""
    result = cli.run(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: newsledger {command}")


class TestDatabaseCommands:
    def test_migrate_brings_an_empty_database_to_head_then_reports_it_is_there(
        self, cli: Cli, database_url: str
    ) -> None:
        """Given an empty database, migrate reports the migration; a second run reports head."""
        env = {**cli.env, "NEWSLEDGER_DATABASE_URL": database_url}
        migrate = Cli(cli.cwd, env)
        first = migrate.run("migrate")
        assert first.returncode == 0, first.stderr
        assert f"migrated from an empty database to revision {head_revision()}" in first.stdout
        second = migrate.run("migrate")
        assert second.returncode == 0, second.stderr
        assert f"is already at schema revision {head_revision()}" in second.stdout

    def test_serve_refuses_an_unmigrated_database_and_says_to_run_migrate(
        self, cli: Cli, database_url: str
    ) -> None:
        """Given an empty database, serve exits at once telling the user to migrate."""
        env = {**cli.env, "NEWSLEDGER_DATABASE_URL": database_url}
        result = Cli(cli.cwd, env).run("serve", "--address", "127.0.0.1:0", timeout=30)
        assert result.returncode == ExitCode.UNAVAILABLE
        assert "has no newsledger schema; run `newsledger migrate`" in result.stderr
        assert "serving on" not in result.stdout


class TestNegotiationQueries:
    def test_state_known_at_before_the_ingest_says_nothing_was_recorded(
        self, cli: Cli, seeded: str
    ) -> None:
        """Given the seed ingested today, the state known at 2001 is not found."""
        result = cli.run("state", NEGOTIATION, "--known-at", "2001-01-01", "--server", seeded)
        assert result.returncode == ExitCode.NOT_FOUND
        assert "NOT_FOUND" in result.stderr and "recorded by 2001-01-01T23:59:59" in result.stderr

    def test_state_known_at_now_is_the_current_view(self, cli: Cli, seeded: str) -> None:
        """Given a known-at instant after the ingest, the JSON view equals the current one."""
        args = ("--as-of", "2025-06-11", "--json", "--server", seeded)
        later = cli.run("state", NEGOTIATION, "--known-at", "2100-01-01T00:00:00Z", *args)
        current = cli.run("state", NEGOTIATION, *args)
        assert later.returncode == ExitCode.INVALID_INPUT
        assert later.stderr.count("known_at: is in the future") == 1  # said once
        assert json.loads(current.stdout)["truce"]["days_remaining"] == 62

    def test_state_reported_by_answers_where_known_at_finds_nothing(
        self, cli: Cli, seeded: str
    ) -> None:
        """Given the seed ingested today, --reported-by 2025-07-01 shows the story as of then."""
        args = ("--as-of", "2025-06-11", "--json", "--server", seeded)
        known = cli.run("state", NEGOTIATION, "--known-at", "2025-07-01", *args)
        reported = cli.run("state", NEGOTIATION, "--reported-by", "2025-07-01", *args)
        early = cli.run("state", NEGOTIATION, "--reported-by", "2025-06-01", *args)
        assert known.returncode == ExitCode.NOT_FOUND
        assert reported.returncode == 0, reported.stderr
        assert json.loads(reported.stdout)["truce"]["days_remaining"] == 62
        assert json.loads(reported.stdout)["phase"] == "NEGOTIATION_PHASE_AGREED_IN_PRINCIPLE"
        assert json.loads(early.stdout)["phase"] == "NEGOTIATION_PHASE_TRUCE"

    def test_timeline_and_explain_take_reported_by(self, cli: Cli, seeded: str) -> None:
        """Given the seed, by 1 June only the Geneva talks and truce had been reported (with
        the people and the measure they name, described later)."""
        timeline = cli.run(
            "timeline", NEGOTIATION, "--reported-by", "2025-06-01", "--json", "--server", seeded
        )
        assert [json.loads(line)["development_id"] for line in timeline.stdout.splitlines()] == [
            "negotiation-opened",
            "geneva-talks",
            "geneva-readout-us",
            "geneva-readout-cn",
            "geneva-truce",
            "geneva-truce-agreed-on-12-may",
            "person-he-lifeng",
            "person-scott-bessent",
            "person-jamieson-greer",
            "tariffs-above-100-percent",
        ]
        explained = cli.run(
            "explain", NEGOTIATION, "phase", "--reported-by", "2025-06-01", "--server", seeded
        )
        assert explained.returncode == 0, explained.stderr
        assert "geneva-truce (TruceAgreed)" in explained.stdout

    def test_timeline_lists_developments_in_time_order_with_filters(
        self, cli: Cli, seeded: str
    ) -> None:
        """Given the seed, the timeline of Lutnick's statements reads one line each."""
        result = cli.run(
            "timeline",
            NEGOTIATION,
            "--actor",
            "howard-lutnick",
            "--type",
            "StatementMade",
            "--server",
            seeded,
        )
        assert result.returncode == 0, result.stderr
        (line,) = result.stdout.splitlines()
        assert "StatementMade" in line and "lutnick-clear-the-air" in line
        assert "corrected by lutnick-clear-the-air-quotes-as-printed" in line

    def test_explain_names_the_developments_and_sources_of_a_field(
        self, cli: Cli, seeded: str
    ) -> None:
        """Given the seed, explaining the truce deadline names the truce and both sources."""
        result = cli.run(
            "explain", NEGOTIATION, "truce.deadline", "--as-of", "2025-06-11", "--server", seeded
        )
        assert result.returncode == 0, result.stderr
        assert "geneva-truce (TruceAgreed)" in result.stdout
        assert "source: The White House (official, 2025-05-12)" in result.stdout
        assert "confirmed by all parties" in result.stdout

    def test_watch_prints_the_view_first(self, cli: Cli, seeded: str) -> None:
        """Given the seed, watch --count 1 prints the whole view once and stops."""
        result = cli.run(
            "watch", NEGOTIATION, "--as-of", "2025-06-11", "--count", "1", "--server", seeded
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"#{SEED_EVENTS - 1} changed:")
        assert "62 days remaining as of 2025-06-11" in result.stdout

    def test_negotiations_filter_by_party_and_phase(self, cli: Cli, seeded: str) -> None:
        """Given the seed, a party filter keeps it and an unknown phase is refused."""
        kept = cli.run(
            "negotiations", "--party", "cn", "--phase", "agreed in principle", "--server", seeded
        )
        none = cli.run("negotiations", "--party", "eu", "--server", seeded)
        bad = cli.run("negotiations", "--phase", "shouting", "--server", seeded)
        assert kept.stdout.startswith(NEGOTIATION)
        assert none.stdout.startswith("no negotiations")
        assert bad.returncode != 0 and "unknown phase 'shouting'" in bad.stderr


BAD_INPUT: dict[str, list[tuple[tuple[str, ...], ExitCode, str]]] = {
    # command: [(arguments after the command, exit code, a fragment of the one line)]
    "serve": [(("--max-streams", "0"), ExitCode.USAGE, "stream limit must be between 1 and")],
    "migrate": [
        (("--database", "nosuchdb://x"), ExitCode.USAGE, "nosuchdb"),
        (("--database", "sqlite://"), ExitCode.USAGE, "in-memory SQLite database"),
        (("--database", "sqlite:///:memory:"), ExitCode.USAGE, "give a file"),
    ],
    "rebuild": [(("--database", "sqlite:///missing.db"), ExitCode.NOT_FOUND, "no database at")],
    "ingest": [(("no-such-story.yaml",), ExitCode.NOT_FOUND, "no-such-story.yaml")],
    "add": [
        ((NEGOTIATION, "no-such-development.yaml"), ExitCode.NOT_FOUND, "no-such-development"),
        (("Not_A_Slug", "-"), ExitCode.USAGE, "'Not_A_Slug' is not a negotiation id"),
    ],
    "state": [
        (("no-such-talks",), ExitCode.NOT_FOUND, "no negotiation has the id 'no-such-talks'"),
        ((NEGOTIATION, "--as-of", "yesterday"), ExitCode.USAGE, "'yesterday' is not a date"),
        ((NEGOTIATION, "--reported-by", "soonish"), ExitCode.USAGE, "'soonish' is neither"),
    ],
    "negotiations": [(("--phase", "shouting"), ExitCode.USAGE, "unknown phase 'shouting'")],
    "timeline": [
        ((NEGOTIATION, "--from", "2025-07-01", "--to", "2025-06-01"), ExitCode.USAGE, "is after"),
        (("no-such-talks",), ExitCode.NOT_FOUND, "no-such-talks"),
    ],
    "explain": [
        ((NEGOTIATION, "truce.nope", "--as-of", "2025-06-11"), ExitCode.NOT_FOUND, "'truce.nope'"),
        ((NEGOTIATION, "truce..x["), ExitCode.INVALID_INPUT, "is not a path"),
    ],
    "watch": [(("no-such-talks",), ExitCode.NOT_FOUND, "no-such-talks")],
    "events": [
        (("--from", "-5"), ExitCode.USAGE, "'-5' is negative"),
        (("--type", "NoSuchType"), ExitCode.USAGE, "unknown event type 'NoSuchType'"),
    ],
    "verify": [
        ((), ExitCode.USAGE, "give exactly one of --server or --file"),
        (("--server", "127.0.0.1:1"), ExitCode.UNAVAILABLE, "cannot reach a newsledger server"),
    ],
    "export": [(("--output", "out.ndjson"), ExitCode.USAGE, "--server is required")],
    "diff": [
        ((NEGOTIATION, "--as-of", "nope", "--as-of", "2025-06-11"), ExitCode.USAGE, "'nope'"),
        (
            ("no-such-talks", "--as-of", "2025-05-01", "--as-of", "2025-06-11"),
            ExitCode.NOT_FOUND,
            "no-such-talks",
        ),
    ],
    "report": [
        ((NEGOTIATION, "--html", "r.html", "--as-of", "2025-13-01"), ExitCode.USAGE, "month"),
        (("no-such-talks", "--html", "r.html"), ExitCode.NOT_FOUND, "no-such-talks"),
    ],
    "measures": [
        ((NEGOTIATION, "--known-at", "tomorrowish"), ExitCode.USAGE, "'tomorrowish'"),
        (("no-such-talks",), ExitCode.NOT_FOUND, "no-such-talks"),
    ],
    "web": [(("--address", "0.0.0.0:0"), ExitCode.USAGE, "without authentication")],
}
"""Bad input for every command, and the exit code and message it must give."""

CLIENT_COMMANDS = {
    *("ingest", "add", "state", "negotiations", "timeline", "explain", "watch", "events"),
    *("diff", "report", "measures"),
}


def bad_input_cases() -> list[tuple[str, tuple[str, ...], ExitCode, str]]:
    return [
        (command, arguments, code, fragment)
        for command, cases in BAD_INPUT.items()
        for arguments, code, fragment in cases
    ]


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    """Check the command failed with code and one line on stderr, no traceback; return it."""
    lines = result.stderr.splitlines()
    assert result.returncode == code, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("newsledger: "), lines[0]
    return lines[0]


def test_the_bad_input_table_covers_every_command() -> None:
    assert set(BAD_INPUT) >= set(subcommands()) - {"keys", "witness"}


@pytest.mark.parametrize(
    ("command", "arguments", "code", "fragment"),
    bad_input_cases(),
    ids=[" ".join((c, *a)) for c, a, _, _ in bad_input_cases()],
)
def test_every_command_answers_bad_input_with_one_line_and_its_exit_code(
    cli: Cli, seeded: str, command: str, arguments: tuple[str, ...], code: ExitCode, fragment: str
) -> None:
    """Given bad input to any command, one line names the problem; the code names its class."""
    server = ("--server", seeded) if command in CLIENT_COMMANDS else ()
    result = cli.run(command, *arguments, *server)
    assert fragment in assert_one_line_error(result, code)


@pytest.mark.parametrize("command", subcommands())
def test_an_unknown_option_is_one_usage_line(cli: Cli, command: str) -> None:
    """Given an option no command has, one line names the command's help and exits 2."""
    line = assert_one_line_error(cli.run(command, "--no-such-option"), ExitCode.USAGE)
    assert line.startswith(f"newsledger: {command}: ")
    assert line.endswith(f"(see newsledger {command} --help)")


@pytest.mark.parametrize("command", subcommands())
def test_every_command_takes_json(cli: Cli, command: str) -> None:
    assert "--json" in cli.run(command, "--help").stdout


def test_help_documents_every_exit_code(cli: Cli) -> None:
    help_text = cli.run("--help").stdout
    for code in ExitCode:
        assert f"\n  {int(code):<4} " in help_text, code


def test_serve_on_a_busy_port_says_so_before_ingesting(cli: Cli) -> None:
    """Given a port something listens on, serve exits 5 in one line and ingests nothing."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        result = cli.run("serve", "--migrate", "--address", address, "--ingest", str(SEED_STORY))
    line = assert_one_line_error(result, ExitCode.UNAVAILABLE)
    assert "already in use" in line
    assert "events for negotiation" not in result.stdout


@pytest.mark.timeout(60)
def test_serve_ingesting_a_file_without_its_keys_stops_at_once_in_one_line(
    cli: Cli, tmp_path: Path
) -> None:
    """Given a story without `negotiation:` (it once looped forever at 100% CPU), serve exits 4."""
    bad = tmp_path / "keyless.yaml"
    bad.write_text("title: no header here\n", encoding="utf-8")
    result = cli.run("serve", "--migrate", "--address", "127.0.0.1:0", "--ingest", str(bad))
    line = assert_one_line_error(result, ExitCode.INVALID_INPUT)
    assert "keyless.yaml:1: negotiation: required" in line


def test_rebuild_and_migrate_never_create_a_database_when_none_is_given(cli: Cli) -> None:
    """Given no --database, no variable and no default file, both refuse and create nothing."""
    env = {k: v for k, v in cli.env.items() if k != "NEWSLEDGER_DATABASE_URL"}
    for command in ("migrate", "rebuild"):
        result = Cli(cli.cwd, env).run(command)
        assert "no database given" in assert_one_line_error(result, ExitCode.NOT_FOUND)
    assert not (cli.cwd / "var").exists()
    missing = cli.run("rebuild", "--database", f"sqlite:///{cli.cwd / 'missing.db'}")
    assert_one_line_error(missing, ExitCode.NOT_FOUND)
    assert not (cli.cwd / "missing.db").exists()


def test_migrate_takes_the_database_as_an_option(cli: Cli) -> None:
    url = f"sqlite:///{cli.cwd / 'chosen.db'}"
    result = cli.run("migrate", "--database", url, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["to_revision"] == head_revision()
    assert (cli.cwd / "chosen.db").exists()


def test_client_commands_find_the_server_in_newsledger_server(cli: Cli, seeded: str) -> None:
    env = {**cli.env, "NEWSLEDGER_SERVER": seeded}
    result = Cli(cli.cwd, env).run("negotiations")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(NEGOTIATION)


class TestHonestOutput:
    def test_a_stream_with_no_events_says_so(self, cli: Cli, seeded: str) -> None:
        result = cli.run("events", "--stream", "no-such-stream", "--server", seeded)
        assert result.returncode == 0
        assert result.stdout.strip() == "no events in stream 'no-such-stream'"

    def test_filters_that_exclude_every_negotiation_say_so(self, cli: Cli, seeded: str) -> None:
        result = cli.run("negotiations", "--party", "eu", "--server", seeded)
        assert result.stdout.strip() == "no negotiations match party eu"

    def test_explain_shows_the_whole_value(
        self, cli: Cli, seeded: str, client: LedgerClient
    ) -> None:
        """Given a large field, every part of its value is printed, nothing cut."""
        args = (NEGOTIATION, "truce", "--as-of", "2025-06-11")
        result = cli.run("explain", *args, "--server", seeded)
        value = json.loads(client.explain(*args[:2], as_of="2025-06-11").value_json)
        assert len(json.dumps(value)) > 160
        assert "…" not in result.stdout
        for text in _strings_in(value):
            assert text in result.stdout

    def test_watch_shows_the_new_values_of_what_changed(
        self, cli: Cli, seeded: str, client: LedgerClient
    ) -> None:
        """Given a watch, a new event prints each changed path with its new value, whole."""
        watch = subprocess.Popen(
            [*NEWSLEDGER, "watch", NEGOTIATION, "--count", "2", "--server", seeded],
            cwd=cli.cwd,
            env=cli.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert watch.stdout is not None
        first = watch.stdout.readline()
        assert first.startswith(f"#{SEED_EVENTS - 1} changed:")
        deadline = {"precision": "DATE_PRECISION_DAY", "start_date": "2025-09-01"}
        extension = {"deadline": deadline, "report": report()}
        client.append(STREAM, [proposed(str(uuid.uuid4()), "DeadlineExtended", extension)])
        out, err = watch.communicate(timeout=60)
        assert watch.returncode == 0, err
        # The extension names no deadline: the view records it as a problem.
        assert f"#{SEED_EVENTS} changed: problems, stale" in out
        assert "  stale = true" in out
        assert '"description": "a deadline needs a deadline_id or a truce_id"' in out

    def test_ctrl_c_ends_a_watch_with_one_line_and_130(self, cli: Cli, seeded: str) -> None:
        watch = subprocess.Popen(
            [*NEWSLEDGER, "watch", NEGOTIATION, "--server", seeded],
            cwd=cli.cwd,
            env=cli.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # As from a terminal: a suite started in the background inherits SIGINT ignored,
            # and Python then never turns Ctrl-C into KeyboardInterrupt.
            preexec_fn=_ctrl_c_as_from_a_terminal,
        )
        assert watch.stdout is not None
        watch.stdout.readline()
        watch.send_signal(signal.SIGINT)
        _, err = watch.communicate(timeout=30)
        assert watch.returncode == ExitCode.INTERRUPTED
        assert err.splitlines() == ["newsledger: interrupted"]


def _ctrl_c_as_from_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _strings_in(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings_in(v)]
    return [value] if isinstance(value, str) else []
