"""Where the tests find the repository's files: the seed story, the fixture stories."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED_STORY = ROOT / "data" / "stories" / "us-china-trade-2025.yaml"
SEED_NEGOTIATION = "us-china-trade-2025"
FIXTURE_STORIES = ROOT / "tests" / "fixtures" / "stories"
