"""Read model: what a person's file holds besides her own history — the pairs she is in (proposed
or formed), a child's wishes and concerns — each of which lives on an aggregate of its own. Only
ids, kinds and days are kept: what was written about her stays sealed in the log, where her file
page reads it."""

from services.projections.file_records.model import FileRecords, records_of

__all__ = ["FileRecords", "records_of"]
