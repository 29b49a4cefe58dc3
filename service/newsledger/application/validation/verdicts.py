"""A yes/no check of payloads, compiled from the schema rules, for the common valid case.

It answers exactly whether ``schemas`` would find no violation, without building field
paths or messages; ``validate_payload`` describes the violations only when it says no.

Fast path: ``compile_checks``. Reference: ``payloads._check_message``, which describes
every violation. Equivalence test: ``tests/unit/test_schema_verdicts.py`` (every story
payload and every mutation of it gets the same answer from both).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]


def compile_checks(
    rules: Mapping[str, Mapping[str, Any]],
    scalar_problem: Callable[[Any, Any], str | None],
    is_missing: Callable[[Any, Any], bool],
    text_checks: Mapping[str, tuple[Callable[[str], object], str]],
) -> dict[str, Check]:
    """Return a check per message name of ``rules`` (name → field name → FieldRule)."""
    checks: dict[str, Check] = {}

    def message_check(name: str) -> Check:
        fields = rules[name]
        required = [(field, rule) for field, rule in fields.items() if rule.required]
        field_checks = {field: field_check(rule) for field, rule in fields.items()}

        def check(value: Any) -> bool:
            if not isinstance(value, Mapping):
                return False
            for field, item in value.items():
                found = field_checks.get(field)
                if found is None or not found(item):
                    return False
            return not any(is_missing(rule, value.get(field)) for field, rule in required)

        return check

    def field_check(rule: Any) -> Check:
        single = value_check(rule)
        if not rule.repeated:
            return single
        return lambda value: isinstance(value, list) and all(single(item) for item in value)

    def value_check(rule: Any) -> Check:
        if rule.kind == "message":  # looked up when called: messages may nest themselves
            return lambda value: checks[rule.message](value)
        if rule.kind == "bool":
            return lambda value: isinstance(value, bool)
        if rule.kind == "enum":
            names = rule.enum_names
            return lambda value: isinstance(value, str) and value in names
        if rule.kind == "string" and not rule.text_format:
            return lambda value: isinstance(value, str)
        if rule.kind == "string":
            accepts = text_checks[rule.text_format][0]
            return lambda value: isinstance(value, str) and (not value or bool(accepts(value)))
        return lambda value: value is not None and scalar_problem(rule, value) is None

    for name in rules:
        checks[name] = message_check(name)
    return checks
