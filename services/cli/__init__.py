"""The `aixin` command: one module per command group; all printing and tables live here."""
