"""Bulk import of civil-affairs lists (CSV or XLSX) of children and volunteers: `aixin import`."""
