"""The `matching_candidates` read model (`model`) and its query, the snapshot of children,
volunteers and past pairs the matching engine scores (`snapshot`)."""
