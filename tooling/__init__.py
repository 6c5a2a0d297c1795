"""Tooling beside the product, installed with it but no part of it: the benchmark (`bench/`, `aixin
bench`), the demo federation (`demo/`, `aixin demo`) and synthetic data for both and for the tests
(`synthetic/`). It uses the product as a client would (the HTTP API, NATS as a service's user) and
appends to the log only through the product's event log (`services.shared.eventlog`); nothing of
the product imports it but the `aixin` command's registration of `demo` and `bench`."""
