"""The federation's figures: one ledger read model (`ledger`) with its roll-ups to every level
(`levels`), its pure rules (`people`, `care`, `reminders`), its arithmetic (`arithmetic`), the
catalogue of figures (`catalogue`) and the queries that answer for a region as of a day, month by
month, and per sub-region (`queries`, reading where `reads` says)."""
