"""Demo data: agencies and one account per role, loaded by `safehub demo`. All made up."""
