"""The `matching_candidates` read model (`model`) and its queries: the snapshot of children,
volunteers and past pairs the matching engine scores (`snapshot`); a pair or proposal and whom it
links, the proposals awaiting a decision, the volunteers of pairs (`queries`)."""
