"""The triage queue: every item the hub owes, sorted by urgency, with its RAG status."""
