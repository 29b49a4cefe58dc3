"""HTML pages from templates: one Jinja2 environment, autoescaping every string it is given.

The log's text is untrusted, so nothing from it reaches the page unescaped: autoescaping is
on for every template, source links are kept only when they are http(s), and the page runs
no script at all (its Content-Security-Policy forbids one).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from jinja2 import ChainableUndefined, Environment, PackageLoader

from newsledger.web import words
from newsledger.web.diff_view import DIFF_AXES
from newsledger.web.figures import figure_text
from newsledger.web.points import CONTROLS, Point

PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
"""The served page's policy: its own stylesheet, no script, no frames, forms to itself."""


def stylesheet() -> str:
    """Return the page's stylesheet."""
    return resources.files("newsledger.web").joinpath("static/page.css").read_text("utf-8")


def report_csp(css: str) -> str:
    """Return the report's policy: only its own inline stylesheet (by hash), no script."""
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:"


def safe_url(url: Any) -> str:
    """Return a source's URL when it is http(s), else "" so that it is shown as text only."""
    text = str(url or "")
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in ("http", "https") and "\\" not in text else ""


def as_json(value: Any) -> str:
    """Return a value as indented JSON for a <pre> block."""
    return json.dumps(value, indent=2, ensure_ascii=False)


class Links(Protocol):
    """Where the page's links go: the served page, or anchors inside a report."""

    def home(self) -> str: ...

    def page(self, point: Point | None = None) -> str: ...

    def explain(self, path: str, day: str = "") -> str: ...

    def entry(self, development_id: str) -> str: ...


@dataclass(frozen=True, slots=True)
class ServerLinks:
    """Links of the served page: every value to its explanation at the page's point."""

    negotiation_id: str
    point: Point
    root: str = ""

    def home(self) -> str:
        """Return the landing page."""
        return f"{self.root}/"

    def base(self) -> str:
        """Return the negotiation's page path."""
        return f"{self.root}/n/{quote(self.negotiation_id, safe='')}"

    def page(self, point: Point | None = None) -> str:
        """Return the negotiation's page at a point (this one by default)."""
        query = (point or self.point).query()
        return f"{self.base()}?{query}" if query else self.base()

    def explain(self, path: str, day: str = "") -> str:
        """Return the explanation of a view path, as of a day (the page's date by default)."""
        point = self.point.with_changes(as_of=day) if day else self.point
        return f"{self.base()}/explain?{point.query(field=path)}"

    def entry(self, development_id: str) -> str:
        """Return the anchor of a development in the page's timeline list."""
        return f"#d-{quote(development_id, safe='')}"

    def download(self, name: str) -> str:
        """Return an export of the negotiation at the page's point."""
        query = self.point.query()
        return f"{self.base()}/{name}" + (f"?{query}" if query else "")

    def diff(self) -> str:
        """Return the diff page's path."""
        return f"{self.base()}/diff"


@dataclass(slots=True)
class ReportLinks:
    """Links of a static report: explanations are anchors of its own appendix."""

    negotiation_id: str
    point: Point
    explained: dict[str, str] = field(default_factory=dict)

    def home(self) -> str:
        """Return the top of the report."""
        return "#top"

    def page(self, point: Point | None = None) -> str:
        """Return the top of the report: it holds one point only."""
        return "#top"

    def explain(self, path: str, day: str = "") -> str:
        """Return the anchor of a path's explanation (as of the report's day), collecting it."""
        anchor = self.explained.setdefault(path, f"x-{len(self.explained) + 1}")
        return f"#{anchor}"

    def entry(self, development_id: str) -> str:
        """Return the anchor of a development in the report's timeline list."""
        return f"#d-{quote(development_id, safe='')}"


def environment() -> Environment:
    """Return the template environment: autoescaping on, absent fields read as empty.

    Protobuf JSON leaves default values out, so a missing field is an empty one, not an error.
    """
    env = Environment(
        loader=PackageLoader("newsledger.web", "templates"),
        autoescape=True,
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        words=words.words,
        figure=figure_text,
        slug=words.slug,
        when=words.when,
        countdown=words.countdown,
        controls=CONTROLS,
        diff_controls=[control for control in CONTROLS if control.name in DIFF_AXES],
        safe_url=safe_url,
        as_json=as_json,
    )
    return env


ENVIRONMENT = environment()


def render(template: str, context: Mapping[str, Any]) -> str:
    """Return a template rendered with a context."""
    return ENVIRONMENT.get_template(template).render(context)
