"""The log's text is untrusted: the page and the report escape every string and run nothing."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsledger.web.pages import ServerLinks, render
from newsledger.web.points import Point
from newsledger.web.rendering import page_context, render_page
from tests.support.hostile import NEGOTIATION, PAYLOADS, URL, write_hostile_story
from tests.support.story_views import picture_of, recorded_story

AS_OF = date(2028, 2, 1)


class Elements(HTMLParser):
    """Collects every start tag and its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    events = recorded_story(write_hostile_story(tmp_path_factory.mktemp("story")))
    picture = picture_of(events, AS_OF)
    return render_page(picture, ServerLinks(NEGOTIATION, Point(AS_OF.isoformat())))


def test_no_markup_from_the_log_becomes_an_element(page: str) -> None:
    parser = Elements()
    parser.feed(page)
    tags = {tag for tag, _ in parser.tags}
    assert "script" not in tags and "img" not in tags
    assert not [tag for tag in parser.tags if tag[0] == "svg" and "onload" in tag[1]]
    assert not any(name.startswith("on") for _, attrs in parser.tags for name in attrs)


def test_every_payload_is_shown_as_text(page: str) -> None:
    """Each hostile string appears escaped, so a reader sees exactly what the log says."""
    for payload in PAYLOADS:
        escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        escaped = escaped.replace('"', "&#34;")
        assert escaped in page, payload


def test_a_javascript_url_is_never_a_link(page: str) -> None:
    parser = Elements()
    parser.feed(page)
    hrefs = [attrs.get("href") or "" for _, attrs in parser.tags]
    assert not [href for href in hrefs if "javascript" in href.lower()]
    assert "link not shown: " + URL in page


def test_the_template_environment_escapes_by_default() -> None:
    """A template rendered with a hostile value escapes it without being asked."""
    html = render(
        "error.html",
        {
            "standalone": False,
            "root": "",
            "status": 400,
            "heading": "<b>x</b>",
            "message": "<script>",
            "violations": [],
            "back": "/",
            "back_text": "back",
        },
    )
    assert "<b>x</b>" not in html and "&lt;script&gt;" in html


def test_the_page_context_draws_the_hostile_measure(tmp_path: Path) -> None:
    events = recorded_story(write_hostile_story(tmp_path))
    picture = picture_of(events, AS_OF)
    context = page_context(picture, ServerLinks(NEGOTIATION, Point()), False)
    assert context["chart"].measure_ids == ["red-levy"]
