"""Intake's contract: children and volunteers on file — registration, the child's file, volunteers' records, training, teams and stations, bulk imports."""
