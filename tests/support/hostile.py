"""A story whose every free-text field carries markup and script, to prove the page inert."""

from __future__ import annotations

from pathlib import Path

import yaml

NEGOTIATION = "hostile-markup"
SCRIPT = "<script>window.__pwned = 1</script>"
IMAGE = '"><img src=x onerror="window.__pwned=1">'
SVG = "<svg onload=window.__pwned=1>"
TEMPLATE = "{{ 7 * 7 }}{% raw %}"
URL = "javascript:window.__pwned=1"
PAYLOADS = (SCRIPT, IMAGE, SVG, TEMPLATE)


def _source(source_id: str, day: str) -> dict[str, object]:
    return {
        "source_id": source_id,
        "outlet": f"Outlet {SCRIPT}",
        "kind": "SOURCE_KIND_NEWSPAPER",
        "title": f"</title>{IMAGE}",
        "url": URL,
        "author": SVG,
        "published_date": day,
        "quotes": [{"speaker_id": "envoy", "text": f"We said {SCRIPT}", "verbatim": True}],
    }


def _report(day: str, source_id: str) -> dict[str, object]:
    return {
        "occurred": {"precision": "DATE_PRECISION_DAY", "start_date": day, "phrase": IMAGE},
        "summary": f"Summary {SCRIPT} {TEMPLATE}",
        "sources": [_source(source_id, day)],
    }


def hostile_story() -> dict[str, object]:
    """Return the story: parties, a person, a measure, a truce, an issue, all with markup."""
    return {
        "negotiation": {
            "id": NEGOTIATION,
            "title": f"Talks {SCRIPT}",
            "parties": [
                {"party_id": "red", "name": f"Red {IMAGE}", "kind": "PARTY_KIND_STATE"},
                {"party_id": "blue", "name": f"Blue {SVG}", "kind": "PARTY_KIND_STATE"},
            ],
        },
        "developments": [
            {
                "id": "envoy-role",
                "type": "PersonRoleAssigned",
                "payload": {
                    "person_id": "envoy",
                    "name": f"Envoy {SCRIPT}",
                    "party_id": "red",
                    "office": IMAGE,
                    "report": _report("2028-01-02", "s-envoy"),
                },
            },
            {
                "id": "red-levy",
                "type": "TariffMeasureChanged",
                "payload": {
                    "measure_id": "red-levy",
                    "description": f"Levy {IMAGE}",
                    "status": "MEASURE_STATUS_IN_FORCE",
                    "imposed_by": ["red"],
                    "targets": ["blue"],
                    "rate_percent": "25",
                    "rate_phrase": SVG,
                    "report": _report("2028-01-05", "s-levy"),
                },
            },
            {
                "id": "truce",
                "type": "TruceAgreed",
                "payload": {
                    "truce_id": "truce",
                    "name": f"Truce {SCRIPT}",
                    "suspended_measure_ids": ["red-levy"],
                    "report": {
                        **_report("2028-01-10", "s-truce"),
                        "expires": {"precision": "DATE_PRECISION_DAY", "start_date": "2028-04-10"},
                    },
                },
            },
            {
                "id": "issue",
                "type": "IssuePositionStated",
                "payload": {
                    "issue_id": "ports",
                    "title": f"Ports {SVG}",
                    "party_id": "blue",
                    "position": f"Position {IMAGE}",
                    "status": "ISSUE_STATUS_OPEN",
                    "report": _report("2028-01-12", "s-issue"),
                },
            },
        ],
    }


def write_hostile_story(directory: Path) -> Path:
    """Write the story as YAML in directory and return its path."""
    path = directory / "hostile-markup.yaml"
    path.write_text(yaml.safe_dump(hostile_story(), allow_unicode=True), encoding="utf-8")
    return path
