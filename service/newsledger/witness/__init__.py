"""A C2SP tlog-witness: its own key and state, cosigning checkpoints it checked (HTTP)."""
