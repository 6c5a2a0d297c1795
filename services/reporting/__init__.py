"""The reporting service: the federation's paperwork upward — the monthly submission (`submission/`)
and what is built on it; its routes, one table (`app.py`)."""
