"""Read models kept current inside the append transaction, and their rebuild."""
