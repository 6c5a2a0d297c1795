"""`python -m services.cli` is the `aixin` command."""

from services.cli.app import app

app()
