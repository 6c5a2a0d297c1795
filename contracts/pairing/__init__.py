"""Pairing's contract: pairs proposed, approved, formed and ended, and a person's pairs; matching's suggestions and batches."""
