"""Screening tool definitions, one TOML file per version, read by `safehub.rules.screening`."""
