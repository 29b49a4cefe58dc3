"""A yes/no check of payloads, compiled from the schema rules, for the common valid case.

It answers exactly whether ``schemas`` would find no violation, without building field
paths or messages; ``validate_payload`` describes the violations only when it says no.

Fast path: ``generate_checks``, one generated function per message. Reference:
``payloads._check_message``, which describes every violation. Equivalence tests:
``tests/unit/test_schema_verdicts.py`` (every story payload and every mutation of it gets
the same answer from both) and ``tests/unit/test_generated_verdicts.py`` (payloads
generated from the rules, valid and broken).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

_ABSENT = object()
_INT_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def generate_checks(
    rules: Mapping[str, Mapping[str, Any]],
    scalar_problem: Callable[[Any, Any], str | None],
    text_checks: Mapping[str, tuple[Callable[[str], object], str]],
) -> dict[str, Check]:
    """Return a check per message name of ``rules`` (name → field name → FieldRule).

    Each message becomes one function with its fields' checks written out in line (no
    closure per field, no call per value): every member must be a known field and pass its
    check, and every REQUIRED field must hold more than its default (``_is_missing``
    written out). Integers of the usual size are answered in line; every other scalar value still
    goes to ``scalar_problem``.
    """
    namespace: dict[str, Any] = {
        "Mapping": Mapping,
        "_ABSENT": _ABSENT,
        "_EMPTIES": ("", [], {}),
        "_problem": scalar_problem,
    }
    names = {name: f"_m{number}" for number, name in enumerate(rules)}
    constants = itertools.count()

    def constant(value: Any) -> str:
        name = f"_c{next(constants)}"
        namespace[name] = value
        return name

    def value_test(rule: Any, item: str) -> str:
        """Return an expression that is true when ``item`` (a variable) passes ``rule``."""
        if rule.kind == "message":
            return f"{names[rule.message]}({item})"
        if rule.kind == "bool":
            return f"({item} is True or {item} is False)"
        if rule.kind == "enum":
            return f"(isinstance({item}, str) and {item} in {constant(rule.enum_names)})"
        if rule.kind == "string" and not rule.text_format:
            return f"isinstance({item}, str)"
        if rule.kind == "string":
            accepts = constant(text_checks[rule.text_format][0])
            return f"(isinstance({item}, str) and (not {item} or bool({accepts}({item}))))"
        general = f"({item} is not None and _problem({constant(rule)}, {item}) is None)"
        if rule.kind in _INT_BOUNDS:
            low, high = _INT_BOUNDS[rule.kind]
            return f"((type({item}) is int and {low} <= {item} <= {high}) or {general})"
        return general

    def missing_test(rule: Any, item: str) -> str:
        """Return an expression that is true when a REQUIRED field holds only its default."""
        if rule.kind == "json":
            return f"{item} is None"
        test = f"{item} is None or {item} in _EMPTIES"
        if rule.kind == "enum":
            test += f" or str({item}).endswith('_UNSPECIFIED')"
        return test

    lines: list[str] = []
    for message, fields in rules.items():
        lines += [
            f"def {names[message]}(value):",
            "    if not isinstance(value, Mapping):",
            "        return False",
            f"    if not value.keys() <= {constant(frozenset(fields))}:",
            "        return False",
            "    get = value.get",
        ]
        for field, rule in fields.items():
            lines.append(f"    item = get({field!r}, _ABSENT)")
            lines.append("    if item is _ABSENT:")
            lines.append("        return False" if rule.required else "        pass")
            if rule.repeated:
                lines += [
                    "    elif not isinstance(item, list):",
                    "        return False",
                    "    else:",
                    "        for element in item:",
                    f"            if not {value_test(rule, 'element')}:",
                    "                return False",
                ]
            else:
                lines += [f"    elif not {value_test(rule, 'item')}:", "        return False"]
            if rule.required:
                lines += [f"    if {missing_test(rule, 'item')}:", "        return False"]
        lines += ["    return True", ""]
    exec(compile("\n".join(lines), "<payload verdicts>", "exec"), namespace)
    return {message: namespace[names[message]] for message in rules}
