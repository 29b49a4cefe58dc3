"""The picture of a negotiation, as a client of the gRPC API: page, report, diff and exports."""
