"""The `bulletin` read model and its query: each office's card thresholds and months as submitted
(`model`), and an office's 通报 for a month worked out on read from them, the figure ledger and the
five-ones verdicts (`queries`), by reporting's pure rules (`services.reporting.bulletin`)."""
