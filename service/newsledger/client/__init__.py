"""A typed client of the newsledger gRPC API, its channels and client-side TLS."""

from newsledger.client.ledger_client import ApiError, LedgerClient

__all__ = ["ApiError", "LedgerClient"]
