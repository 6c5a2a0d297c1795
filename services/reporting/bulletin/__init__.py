"""The 通报 (supervision bulletin): an office's card thresholds (`thresholds.py`, pure; set by
`handlers.py`), and the rules that rank its sub-offices and card them (`cards.py`, pure)."""
