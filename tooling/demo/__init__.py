"""`aixin demo`: a plausible federation filled over the HTTP API by its offices' accounts."""
