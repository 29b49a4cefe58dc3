"""Verifiable audit: canonical leaves, the RFC 6962 Merkle log, signed checkpoints, proofs."""
