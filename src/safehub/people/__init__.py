"""Children: identity, addresses over time, children's social care status, case notes."""
