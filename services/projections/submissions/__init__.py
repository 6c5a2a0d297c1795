"""`submissions`: each office's monthly submissions (数据上报) — status, deadline, days late, the figures
as submitted and the adjustments since (`model.py`, `queries.py`) — and the month's figures an
office submits, as the figure ledger holds them (`snapshot.py`)."""
