"""The read-only web page: Starlette routes over the page reader, errors as clear pages.

Routes: `/` lists the negotiations; `/n/ID` is a negotiation at a point (`as_of`, `known_at`
in the query); `/n/ID/explain?field=PATH` why a value says what it says; `/n/ID/diff` what
changed between two points; `/n/ID/timeline.csv|ndjson`, `/n/ID/measures.csv|ndjson` and
`/n/ID/report.html` the exports. Endpoints are plain functions: Starlette runs them in its
thread pool, where the blocking gRPC client belongs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from newsledger.client.ledger_client import ApiError
from newsledger.web.diff_view import DiffRequest, read_diff
from newsledger.web.exports import (
    MEASURE_COLUMNS,
    TIMELINE_COLUMNS,
    measure_rows,
    timeline_row,
    to_csv,
    to_ndjson,
)
from newsledger.web.guard import PageGuard
from newsledger.web.pages import ServerLinks, render, stylesheet
from newsledger.web.points import BadPoint, Point
from newsledger.web.reader import PageReader
from newsledger.web.rendering import render_page, render_report

log = logging.getLogger(__name__)

FORMATS = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson; charset=utf-8"}
_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

UNREACHABLE = frozenset({"UNAVAILABLE", "DEADLINE_EXCEEDED"})
REFUSED = frozenset({"UNAUTHENTICATED", "PERMISSION_DENIED"})


class PageError(Exception):
    """A request the page answers with an error page: status, heading, message."""

    def __init__(
        self,
        status: int,
        heading: str,
        message: str,
        violations: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status, self.heading, self.message, self.violations = (
            status,
            heading,
            message,
            violations,
        )


def page_error(error: Exception, negotiation_id: str = "") -> PageError:
    """Return the error page for a failed read: bad input, not found, server unreachable."""
    if isinstance(error, PageError):
        return error
    if isinstance(error, BadPoint):
        return PageError(400, "Not a date", str(error))
    assert isinstance(error, ApiError)
    code = error.code.name
    if error.reason == "FIELD_NOT_FOUND":
        return PageError(404, "No such value", error.message, error.violations)
    if code == "NOT_FOUND":
        what = f"No negotiation {negotiation_id!r}" if negotiation_id else "Not found"
        return PageError(404, what, error.message)
    if code == "INVALID_ARGUMENT":
        return PageError(400, "The request cannot be answered", error.message, error.violations)
    if code in UNREACHABLE:
        return PageError(503, "The ledger cannot be reached", error.message)
    if code in REFUSED:
        return PageError(502, "The ledger refused this page", f"{code}: {error.message}")
    return PageError(502, "The ledger could not answer", f"{code}: {error.message}")


def _error_response(error: PageError, back: str = "/") -> HTMLResponse:
    body = render(
        "error.html",
        {
            "standalone": False,
            "root": "",
            "status": error.status,
            "heading": error.heading,
            "message": error.message,
            "violations": list(error.violations),
            "back": back,
            "back_text": "back to the negotiations" if back == "/" else "back",
        },
    )
    return HTMLResponse(body, status_code=error.status)


def _point(request: Request) -> Point:
    return Point.from_query(request.query_params)


def _file_name(negotiation_id: str, name: str) -> str:
    return f"{_FILE_NAME.sub('-', negotiation_id)[:80]}-{name}"


class WebPage:
    """The page's endpoints, reading through one PageReader."""

    def __init__(self, reader: PageReader) -> None:
        self.reader = reader

    def _answer(self, request: Request, build: Callable[[str], Response]) -> Response:
        negotiation_id = str(request.path_params.get("negotiation_id", ""))
        try:
            return build(negotiation_id)
        except (PageError, BadPoint, ApiError) as error:
            back = f"/n/{quote(negotiation_id, safe='')}" if negotiation_id else "/"
            failure = page_error(error, negotiation_id)
            if failure.status == 404 and failure.heading.startswith("No negotiation"):
                back = "/"
            return _error_response(failure, back)

    def index(self, request: Request) -> Response:
        """List the negotiations."""

        def build(_: str) -> Response:
            found = self.reader.negotiations()
            rows = [(n, f"/n/{quote(str(n['negotiation_id']), safe='')}") for n in found]
            return HTMLResponse(
                render("index.html", {"standalone": False, "root": "", "negotiations": rows})
            )

        return self._answer(request, build)

    def negotiation(self, request: Request) -> Response:
        """Show a negotiation at the point the query names."""

        def build(negotiation_id: str) -> Response:
            point = _point(request)
            picture = self.reader.picture(negotiation_id, point)
            return HTMLResponse(render_page(picture, ServerLinks(negotiation_id, point)))

        return self._answer(request, build)

    def explain(self, request: Request) -> Response:
        """Show why one value of the view says what it says."""

        def build(negotiation_id: str) -> Response:
            point = _point(request)
            path = request.query_params.get("field", "").strip()
            if not path:
                raise PageError(400, "Which value?", "the field parameter names a view path")
            explanation = self.reader.explain(negotiation_id, path, point)
            context: dict[str, Any] = {
                "standalone": False,
                "root": "",
                "negotiation_id": negotiation_id,
                "explanation": explanation,
                "point": point,
                "links": ServerLinks(negotiation_id, point),
            }
            return HTMLResponse(render("explain.html", context))

        return self._answer(request, build)

    def diff(self, request: Request) -> Response:
        """Show what changed between two points."""

        def build(negotiation_id: str) -> Response:
            wanted = DiffRequest.from_lists(
                request.query_params.getlist("as_of"), request.query_params.getlist("known_at")
            )
            found = read_diff(self.reader, negotiation_id, wanted)
            context: dict[str, Any] = {
                "standalone": False,
                "root": "",
                "negotiation_id": negotiation_id,
                "before": found.before,
                "after": found.after,
                "before_links": ServerLinks(negotiation_id, found.before),
                "after_links": ServerLinks(negotiation_id, found.after),
                "changes": [change.as_dict() for change in found.changes],
            }
            return HTMLResponse(render("diff.html", context))

        return self._answer(request, build)

    def timeline_export(self, request: Request) -> Response:
        """Download the timeline as CSV or NDJSON."""

        def build(negotiation_id: str) -> Response:
            kind = _format(request)
            entries = list(self.reader.entries(negotiation_id, _point(request)))
            if kind == "csv":
                body = to_csv((timeline_row(e) for e in entries), TIMELINE_COLUMNS)
            else:
                body = to_ndjson(entries)
            return _download(body, kind, _file_name(negotiation_id, f"timeline.{kind}"))

        return self._answer(request, build)

    def measures_export(self, request: Request) -> Response:
        """Download the measures over time as CSV or NDJSON."""

        def build(negotiation_id: str) -> Response:
            kind = _format(request)
            rows = measure_rows(self.reader.picture(negotiation_id, _point(request)).series)
            body = to_csv(rows, MEASURE_COLUMNS) if kind == "csv" else to_ndjson(rows)
            return _download(body, kind, _file_name(negotiation_id, f"measures.{kind}"))

        return self._answer(request, build)

    def report(self, request: Request) -> Response:
        """Download the page at its point as one self-contained HTML file."""

        def build(negotiation_id: str) -> Response:
            body = render_report(self.reader, negotiation_id, _point(request))
            name = _file_name(negotiation_id, "report.html")
            headers = {"content-disposition": f'attachment; filename="{name}"'}
            return HTMLResponse(body, headers=headers)

        return self._answer(request, build)


def _format(request: Request) -> str:
    kind = str(request.path_params.get("format", ""))
    if kind not in FORMATS:
        raise PageError(404, "No such export", f"exports are {', '.join(sorted(FORMATS))}")
    return kind


def _download(body: str, kind: str, name: str) -> Response:
    headers = {"content-disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=FORMATS[kind], headers=headers)


def _stylesheet(_: Request) -> Response:
    return Response(stylesheet(), media_type="text/css; charset=utf-8")


def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    if status == 405:
        return PlainTextResponse("this page is read-only: GET only", status_code=405)
    return _error_response(PageError(404, "No such page", f"nothing at {request.url.path}"))


def _failed(request: Request, exc: Exception) -> Response:
    log.error("the page failed on %s", request.url.path, exc_info=exc)
    return _error_response(PageError(500, "Something went wrong", "the page could not be drawn"))


def create_app(reader: PageReader, allows: Callable[[str], bool] | None = None) -> PageGuard:
    """Return the page as an ASGI app; with `allows`, every request needs a token it accepts."""
    page = WebPage(reader)
    routes = [
        Route("/", page.index),
        Route("/static/page.css", _stylesheet),
        Route("/n/{negotiation_id}", page.negotiation),
        Route("/n/{negotiation_id}/explain", page.explain),
        Route("/n/{negotiation_id}/diff", page.diff),
        Route("/n/{negotiation_id}/timeline.{format}", page.timeline_export),
        Route("/n/{negotiation_id}/measures.{format}", page.measures_export),
        Route("/n/{negotiation_id}/report.html", page.report),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={404: _not_found, 405: _not_found, Exception: _failed},
    )
    return PageGuard(app, allows)
