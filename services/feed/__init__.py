"""The integration feed: the domain log translated, for outside systems, into PII-free integration
events (`contracts.feed`). `translate` is pure: what reads the log and publishes is elsewhere."""
