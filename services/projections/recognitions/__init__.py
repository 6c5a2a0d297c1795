"""Read model `recognitions` (最美爱心妈妈): every nomination and where it stands, the counts awarded
per year and level (`model.py`); and the volunteer's record a nomination attaches (`record.py`)."""

from services.projections.recognitions.model import Recognitions

__all__ = ["Recognitions"]
