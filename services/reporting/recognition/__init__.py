"""最美爱心妈妈: nominations of volunteers by district and town offices, reviewed by the city or
province above (`domain.py`, pure; `handlers.py`)."""
