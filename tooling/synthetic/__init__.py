"""Synthetic data, invented and never anyone's: civil-affairs lists (`children.py`, `places.py`),
resident ID numbers (`idcard.py`) and a district to match (`district.py`)."""
