"""Errors the application service raises itself; the API maps each to a status in one place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Violation:
    """One problem with a request: the field's path and what is wrong with it."""

    field: str
    description: str


class LedgerError(Exception):
    """Base of the errors the application service raises itself."""


class InvalidRequest(LedgerError):
    """The request breaks a rule; every violation names its field."""

    def __init__(self, violations: Sequence[Violation], reason: str = "INVALID_ARGUMENT") -> None:
        self.violations = list(violations)
        self.reason = reason
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in self.violations))


class UnknownReferences(InvalidRequest):
    """Developments of an append refer to ids their negotiation does not have.

    Each violation is the path of a reference in the request; `metadata` names the first
    refused event, its field and the ids it lacks.
    """

    def __init__(self, violations: Sequence[Violation], metadata: Mapping[str, str]) -> None:
        super().__init__(violations, reason="UNKNOWN_REFERENCE")
        self.metadata = dict(metadata)


class NegotiationNotFound(LedgerError):
    """No negotiation has the requested id (or none was recorded by the requested time)."""

    def __init__(self, negotiation_id: str, detail: str = "") -> None:
        self.negotiation_id = negotiation_id
        super().__init__(f"no negotiation has the id {negotiation_id!r}{detail}")


class FieldNotInView(LedgerError):
    """An explained path is well formed but names nothing in the negotiation's view."""

    def __init__(self, negotiation_id: str, field_path: str, detail: str) -> None:
        self.negotiation_id = negotiation_id
        self.field_path = field_path
        super().__init__(detail)


class CheckpointNotFound(LedgerError):
    """The log signed no checkpoint for the requested tree size."""

    def __init__(self, size: int) -> None:
        self.size = size
        super().__init__(f"no checkpoint was signed for tree size {size}")
