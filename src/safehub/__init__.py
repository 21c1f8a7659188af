"""Safehub: case management and intelligence for a multi-agency child exploitation hub."""

__version__ = "0.1.0"
