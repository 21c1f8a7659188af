"""Finding one child across agencies' records: standardise, train, match, explain (Splink)."""
