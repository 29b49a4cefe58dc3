"""Story files: the YAML format for a negotiation's developments, and loading them."""
