"""The pure domain: recorded events and the negotiation fold (standard library only)."""
