"""The page shows the approvals an outcome awaits and what a truce suspends, as of its date."""

from __future__ import annotations

from datetime import date

from newsledger.web.pages import ServerLinks
from newsledger.web.points import Point
from newsledger.web.rendering import render_page
from tests.support.paths import SEED_STORY
from tests.support.story_views import picture_of, recorded_story


def page_on(as_of: date) -> str:
    picture = picture_of(recorded_story(SEED_STORY), as_of)
    return render_page(picture, ServerLinks("us-china-trade-2025", Point(as_of.isoformat())))


def test_the_london_framework_awaits_each_presidents_approval() -> None:
    page = page_on(date(2025, 6, 11))
    assert "pending approval by" in page
    assert "President of the United States</a> (us)" in page
    assert "President of China</a> (cn)" in page
    assert "outcomes[london-framework].pending_approvals[1]" in page
    assert "pending approval by" not in page_on(date(2025, 6, 9))


def test_an_expired_truce_says_its_measures_are_back() -> None:
    during = page_on(date(2026, 11, 10))
    assert "suspends tariffs-above-100-percent" in during
    after = page_on(date(2026, 11, 11))
    assert "suspended, until it expired: tariffs-above-100-percent (back as before it)" in after
