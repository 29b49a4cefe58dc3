"""A negotiation retitled, measures added to a truce's suspensions, and a truce that expires:
views as of dates before, at and after each change."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsledger.cli.text.output import format_view
from newsledger.domain.negotiation import fold
from tests.support.builders import Stream, reported_on, view_on


def retitle(stream: Stream, title: str, day: str) -> None:
    stream.add(
        "NegotiationRetitled",
        {"title": title, "reason": "Renamed.", "report": reported_on(day)},
        f"retitled-{day}",
    )


def test_a_view_shows_the_title_in_force_on_its_date() -> None:
    stream = Stream().opened()
    retitle(stream, "Framework talks", "2025-08-01")

    before = view_on(stream, date(2025, 7, 31))
    assert (before["title"], before.get("former_titles", [])) == ("Test talks", [])
    after = view_on(stream, date(2025, 8, 1))
    assert after["title"] == "Framework talks"
    [former] = after["former_titles"]
    assert (former["title"], former["replaced"]["start_date"], former["reason"]) == (
        "Test talks",
        "2025-08-01",
        "Renamed.",
    )
    assert former["provenance"]["development_ids"] == ["retitled-2025-08-01"]
    assert format_view(before).startswith("Test talks")
    assert format_view(after).startswith("Framework talks")


def test_a_retitling_back_filled_about_an_earlier_day_does_not_replace_a_newer_title() -> None:
    stream = Stream().opened()
    retitle(stream, "Second title", "2025-09-01")
    retitle(stream, "First title", "2025-08-01")

    assert view_on(stream, date(2025, 8, 15))["title"] == "First title"
    later = view_on(stream, date(2025, 9, 1))
    assert later["title"] == "Second title"
    assert [t["title"] for t in later["former_titles"]] == ["Test talks", "First title"]


def test_an_empty_title_is_refused() -> None:
    stream = Stream().opened()
    retitle(stream, "  ", "2025-08-01")
    state = fold(stream.events)
    assert state is not None
    [problem] = state.problems
    assert "title is empty" in problem["description"]
    assert state.title == "Test talks"


def tariff(measure_id: str, status: str, day: str, **fields: Any) -> dict[str, Any]:
    return {
        "measure_id": measure_id,
        "description": f"Tariff {measure_id}",
        "status": status,
        "imposed_by": ["us"],
        "targets": ["cn"],
        **fields,
        "report": reported_on(day),
    }


def deadline(day: str) -> dict[str, Any]:
    return {"precision": "DATE_PRECISION_DAY", "start_date": day}


def truce_over(*measures: str) -> Stream:
    """Measures in force from April, suspended by a truce from 14 May to 12 August."""
    stream = Stream().opened()
    for measure_id in measures:
        in_force = tariff(measure_id, "MEASURE_STATUS_IN_FORCE", "2025-04-05", rate_percent="125")
        stream.add("TariffMeasureChanged", in_force, f"{measure_id}-in-force")
    stream.add(
        "TruceAgreed",
        {
            "truce_id": "geneva",
            "name": "Geneva truce",
            "suspended_measure_ids": [measures[0]],
            "report": reported_on(
                "2025-05-12", effective=deadline("2025-05-14"), expires=deadline("2025-08-12")
            ),
        },
        "truce",
    )
    return stream


def measure_on(stream: Stream, measure_id: str, day: date) -> dict[str, Any]:
    [found] = [m for m in view_on(stream, day)["measures"] if m["measure_id"] == measure_id]
    return found


def test_a_truce_that_expires_with_no_extension_leaves_its_measures_as_before_it() -> None:
    stream = truce_over("reciprocal")

    during = measure_on(stream, "reciprocal", date(2025, 8, 12))
    assert (during["status"], during.get("in_force", False)) == ("MEASURE_STATUS_SUSPENDED", False)
    assert during["suspended_by_truce_id"] == "geneva"
    after = measure_on(stream, "reciprocal", date(2025, 8, 13))
    assert (after["status"], after["in_force"], after["rate_percent"]) == (
        "MEASURE_STATUS_IN_FORCE",
        True,
        "125",
    )
    assert "suspended_by_truce_id" not in after
    assert "[under truce geneva]" in format_view(view_on(stream, date(2025, 8, 12)))
    assert "[under truce geneva]" not in format_view(view_on(stream, date(2025, 8, 13)))
    view = view_on(stream, date(2025, 8, 13))
    assert view["truce"]["expired"] is True
    assert view["measures_in_force"][0]["tariff_measure_ids"] == ["reciprocal"]
    assert "reciprocal until it expired; back as before it" in format_view(view)


def test_an_extension_keeps_the_measures_suspended_until_the_new_deadline() -> None:
    stream = truce_over("reciprocal")
    stream.add(
        "DeadlineExtended",
        {
            "truce_id": "geneva",
            "deadline": deadline("2025-11-10"),
            "report": reported_on("2025-08-11"),
        },
    )

    assert (
        measure_on(stream, "reciprocal", date(2025, 8, 13))["status"] == "MEASURE_STATUS_SUSPENDED"
    )
    assert (
        measure_on(stream, "reciprocal", date(2025, 11, 10))["status"] == "MEASURE_STATUS_SUSPENDED"
    )
    assert measure_on(stream, "reciprocal", date(2025, 11, 11))["in_force"] is True


def test_an_extension_reported_after_the_lapse_suspends_again_only_from_its_date() -> None:
    stream = truce_over("reciprocal")
    stream.add(
        "DeadlineExtended",
        {
            "truce_id": "geneva",
            "deadline": deadline("2025-11-10"),
            "report": reported_on("2025-08-20"),
        },
    )

    assert measure_on(stream, "reciprocal", date(2025, 8, 19))["in_force"] is True
    assert (
        measure_on(stream, "reciprocal", date(2025, 8, 20))["status"] == "MEASURE_STATUS_SUSPENDED"
    )


def test_a_change_after_the_truce_still_decides_after_it_expires() -> None:
    stream = truce_over("reciprocal")
    stream.add("TariffMeasureChanged", tariff("reciprocal", "MEASURE_STATUS_ENDED", "2025-07-01"))

    assert measure_on(stream, "reciprocal", date(2025, 8, 13))["status"] == "MEASURE_STATUS_ENDED"


def add_to_truce(stream: Stream, effective: str, *measure_ids: str) -> None:
    stream.add(
        "TruceSuspensionsAdded",
        {
            "truce_id": "geneva",
            "measure_ids": list(measure_ids),
            "report": reported_on("2025-06-01", effective=deadline(effective)),
        },
        "added",
    )


def test_measures_added_to_a_truce_are_pending_before_their_date_and_suspended_from_it() -> None:
    stream = truce_over("reciprocal", "fentanyl")
    add_to_truce(stream, "2025-06-10", "fentanyl")

    before = view_on(stream, date(2025, 6, 9))
    assert before["truce"]["suspended_measure_ids"] == ["reciprocal"]
    [pending] = before["truce"]["pending_suspensions"]
    assert (pending["measure_ids"], pending["effective"]) == (["fentanyl"], deadline("2025-06-10"))
    fentanyl = measure_on(stream, "fentanyl", date(2025, 6, 9))
    assert (fentanyl["status"], fentanyl["in_force"]) == ("MEASURE_STATUS_IN_FORCE", True)
    assert fentanyl["pending_changes"][0]["status"] == "MEASURE_STATUS_SUSPENDED"

    at = view_on(stream, date(2025, 6, 10))
    assert at["truce"]["suspended_measure_ids"] == ["reciprocal", "fentanyl"]
    assert "pending_suspensions" not in at["truce"]
    suspended = measure_on(stream, "fentanyl", date(2025, 6, 10))
    assert (suspended["status"], suspended["suspended_by_truce_id"]) == (
        "MEASURE_STATUS_SUSPENDED",
        "geneva",
    )
    assert "fentanyl (from 2025-06-10)" in format_view(before)

    assert measure_on(stream, "fentanyl", date(2025, 8, 13))["in_force"] is True


def test_adding_a_measure_the_truce_already_suspends_or_an_unknown_one_is_refused() -> None:
    stream = truce_over("reciprocal")
    add_to_truce(stream, "2025-06-10", "reciprocal")
    add_to_truce(stream, "2025-06-10", "nothing")
    state = fold(stream.events)
    assert state is not None
    first, second = (p["description"] for p in state.problems)
    assert "truce geneva already suspends reciprocal" in first
    assert "measure_ids refers to unknown measures: nothing" in second
