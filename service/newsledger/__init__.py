"""newsledger: an event-sourced, auditable ledger of news about negotiations."""

__version__ = "0.1.0"
