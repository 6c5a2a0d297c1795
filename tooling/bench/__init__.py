"""`aixin bench`: the platform's rates and latencies against raw JetStream on the same server, and
against a peer; `--scale`: the same at a national size (`scale.py`)."""
