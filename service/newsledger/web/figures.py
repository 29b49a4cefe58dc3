"""Words for figures: "$50 per net ton", "between 10% and 15%", "145% = 125% + 20%".

Figures are in the protobuf JSON form; the page and the command line both write them so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

View = Mapping[str, Any]


def list_of(record: View, name: str) -> list[Any]:
    """Return a repeated field of a record, [] when absent."""
    value = record.get(name)
    return list(value) if isinstance(value, list) else []


SYMBOLS = {"USD": "$", "EUR": "€", "CNY": "¥", "JPY": "¥", "GBP": "£"}
"""Currencies written with a symbol before the figure; others are written after it."""


def _amount(value: str, part: View) -> str:
    """Return one value with its currency or unit: "$50", "¥400", "20%", "12000000 tonnes"."""
    currency = str(part.get("currency", ""))
    unit = str(part.get("unit", ""))
    if currency:
        symbol = SYMBOLS.get(currency.upper())
        return f"{symbol}{value}" if symbol else f"{value} {currency}"
    if unit.lower() in ("percent", "%"):
        return f"{value}%"
    return f"{value} {unit}" if unit else value


def _value(part: View) -> str:
    """Return a figure's value or range with its unit, "about" when approximate."""
    if part.get("exact_value"):
        text = _amount(str(part["exact_value"]), part)
    elif part.get("low_value") and part.get("high_value"):
        text = f"between {_amount(part['low_value'], part)} and {_amount(part['high_value'], part)}"
    elif part.get("low_value"):
        text = f"at least {_amount(part['low_value'], part)}"
    elif part.get("high_value"):
        text = f"up to {_amount(part['high_value'], part)}"
    else:
        text = str(part.get("phrase", ""))
    return f"about {text}" if part.get("approximate") and text else text


def figure_text(figure: View) -> str:
    """Return a figure in words: its value, equivalents, what it is per, and its parts."""
    text = _value(figure)
    equivalents = [_value(item) for item in list_of(figure, "equivalents")]
    if equivalents:
        text += f" ({', '.join(equivalents)})"
    if figure.get("per"):
        text += f" per {figure['per']}"
    parts = []
    for part in list_of(figure, "components"):
        inherited = {"unit": figure.get("unit", ""), "currency": figure.get("currency", "")}
        value = _value({**inherited, **{k: v for k, v in part.items() if v}})
        parts.append(f"{value} {part.get('label', '')}".strip())
    if parts:
        text += " = " + " + ".join(parts)
    return text
