"""The `pair_compliance` read model and its queries: what each pair did and when (`model`), where
a pair's facts last changed (`changes`); each pair's verdict for a month under a cadence profile
(`report`), the verdicts added up by region (`figures`) and kept between reads (`cache`). The
verdicts are the care context's pure rules (`services.activity.care.compliance`), applied on read."""
