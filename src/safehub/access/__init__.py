"""Who may do what: agencies, users with one role each, and the one policy entry point."""
