"""The negotiation's page and its static report, rendered from a picture of it.

The report is the page at one point in one self-contained file: its stylesheet inlined (and
allowed by hash), no script, and each value linked to an appendix that explains it, read
from the API when the report is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from newsledger.client.ledger_client import ApiError
from newsledger.web.chart import Scale, lay_out
from newsledger.web.pages import Links, ReportLinks, render, report_csp, stylesheet
from newsledger.web.points import Point
from newsledger.web.reader import PageReader, Picture
from newsledger.web.timeline_chart import lay_out_timeline, status_of, timeline_range


def page_context(
    picture: Picture, links: Links, standalone: bool, root: str = ""
) -> dict[str, Any]:
    """Return what the negotiation template needs: the picture and its two charts."""
    start, end = picture.series.start, picture.series.end
    drawn = timeline_range(picture.entries)
    if drawn:
        start = min(start, drawn[0] - timedelta(days=7))
        end = max(end, drawn[1] + timedelta(days=14))
    scale = Scale(start, end)
    return {
        "picture": picture,
        "chart": lay_out(picture.series, picture.view.get("parties", []), scale),
        "timeline": lay_out_timeline(picture.entries, scale, picture.as_of),
        "links": links,
        "standalone": standalone,
        "root": root,
        "empty_point": Point(),
        "entry_status": status_of,
    }


def render_page(picture: Picture, links: Links, root: str = "") -> str:
    """Return the served page of a negotiation."""
    return render("negotiation.html", page_context(picture, links, False, root))


def _explanations(
    reader: PageReader, picture: Picture, links: ReportLinks
) -> list[tuple[str, str, Mapping[str, Any] | None, str]]:
    """Return (anchor, path, explanation, problem) for every path the report links."""
    point = picture.point.with_changes(as_of=picture.as_of.isoformat())
    found: list[tuple[str, str, Mapping[str, Any] | None, str]] = []
    for path, anchor in links.explained.items():
        try:
            explanation = reader.explain(picture.negotiation_id, path, point)
            found.append((anchor, path, explanation, ""))
        except ApiError as error:
            if error.reason != "FIELD_NOT_FOUND":
                raise
            found.append((anchor, path, None, f"not in the view as of {picture.as_of}"))
    return found


def render_report(reader: PageReader, negotiation_id: str, point: Point) -> str:
    """Return the report of a negotiation at a point: one self-contained HTML file."""
    picture = reader.picture(negotiation_id, point)
    links = ReportLinks(negotiation_id, point)
    css = stylesheet()
    context = page_context(picture, links, True) | {"css": css, "csp": report_csp(css)}
    render("negotiation.html", context)  # collects the paths the report links to
    context["explanations"] = _explanations(reader, picture, links)
    return render("negotiation.html", context)
