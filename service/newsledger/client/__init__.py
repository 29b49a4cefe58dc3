"""A typed client of the newsledger gRPC API, its channels and client-side TLS."""

from newsledger.client.ledger_client import ApiError, LedgerClient, connect
from newsledger.client.subscription import Subscription

__all__ = ["ApiError", "LedgerClient", "Subscription", "connect"]
