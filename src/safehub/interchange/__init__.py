"""Moving a hub's whole history in and out of Safehub (docs/history-format.md)."""
