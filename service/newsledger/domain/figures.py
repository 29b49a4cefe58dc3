"""Figures: an exact decimal or a range, with a unit or currency, checked and added up.

A figure travels as protobuf JSON (`exact_value`, `low_value`, `high_value`, `unit`,
`currency`, `per`…); its values are decimal strings, read here with `Decimal`, never floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from newsledger.domain.references import UnappliedEvent
from newsledger.domain.state import JsonDict

PARTS = ("equivalents", "components")
"""The lists of a figure whose items are figures of their own."""


def bounds(figure: Mapping[str, Any]) -> tuple[Decimal | None, Decimal | None]:
    """Return a figure's lower and upper bounds (both the exact value when it has one)."""
    if figure.get("exact_value"):
        exact = Decimal(str(figure["exact_value"]))
        return exact, exact
    low, high = figure.get("low_value"), figure.get("high_value")
    return (Decimal(str(low)) if low else None, Decimal(str(high)) if high else None)


def _check_one(figure: Mapping[str, Any], field: str) -> None:
    """Refuse a figure that is both exact and a range, or whose range runs backwards."""
    exact = bool(figure.get("exact_value"))
    if exact and (figure.get("low_value") or figure.get("high_value")):
        raise UnappliedEvent(f"{field}: exact_value or a range (low_value, high_value), not both")
    low, high = bounds(figure)
    if low is not None and high is not None and low > high:
        raise UnappliedEvent(f"{field}: low_value {low} is above high_value {high}")
    if not (exact or low is not None or high is not None or figure.get("phrase")):
        raise UnappliedEvent(f"{field}: a figure needs exact_value, a range or a phrase")


def check_figure(figure: Any, field: str) -> None:
    """Raise UnappliedEvent naming `field` when a figure (if given) or one of its parts is
    inconsistent; an absent figure passes."""
    if not figure:
        return
    _check_one(figure, field)
    for part in PARTS:
        for index, item in enumerate(figure.get(part, [])):
            _check_one(item, f"{field}.{part}[{index}]")


def measure_of(figure: Mapping[str, Any]) -> tuple[str, str]:
    """Return what a figure counts in: ("currency", code) for money, else ("unit", unit).

    Units compare without case: "Tonnes" and "tonnes" are one unit.
    """
    if figure.get("currency"):
        return "currency", str(figure["currency"]).upper()
    return "unit", str(figure.get("unit", "")).strip().lower()


def total(figures: Iterable[Mapping[str, Any]], like: Mapping[str, Any]) -> JsonDict | None:
    """Return the sum of the figures in the unit or currency of `like` (others are left
    out), or None when none adds.

    A range adds its bounds; a figure open above (only "at least") leaves the sum open above.
    The sum is exact when every figure is.
    """
    kind, name = measure_of(like)
    found = [bounds(figure) for figure in figures if measure_of(figure) == (kind, name)]
    found = [(low, high) for low, high in found if low is not None or high is not None]
    if not found:
        return None
    low = sum((first for first, _ in found if first is not None), Decimal(0))
    highs = [last for _, last in found]
    exact = all(first == last for first, last in found)
    summed: JsonDict = {kind: like.get(kind, name)}
    if exact:
        summed["exact_value"] = decimal_text(low)
    else:
        summed["low_value"] = decimal_text(low)
        closed = [high for high in highs if high is not None]
        if len(closed) == len(highs):
            summed["high_value"] = decimal_text(sum(closed, Decimal(0)))
    return summed


def share_percent(part: Mapping[str, Any], whole: Mapping[str, Any]) -> str:
    """Return the lower bound of `part` as a percent of `whole`'s (at most one decimal), or ""."""
    done, _ = bounds(part)
    target, _ = bounds(whole)
    if done is None or target is None or target <= 0:
        return ""
    return decimal_text((done * 100 / target).quantize(Decimal("0.1")))


def decimal_text(value: Decimal) -> str:
    """Return a decimal as the plain decimal string the contract uses ("12", "0.5")."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
