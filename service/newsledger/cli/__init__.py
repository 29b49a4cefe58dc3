"""The `newsledger` command: one module per command group."""
