"""Shared by every test folder. Unit tests get no database: pytest-django refuses any query
from a test that has not asked for the `db` fixture, so tests/unit stays database-free."""
