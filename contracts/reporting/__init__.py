"""Reporting's contract: the federation's own paperwork upward — the monthly submission (数据上报,
`submission.py`), and what is built on it."""
