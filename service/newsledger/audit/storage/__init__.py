"""The audit log's server side on SQLAlchemy: leaves, subtree hashes, checkpoints, keys."""
