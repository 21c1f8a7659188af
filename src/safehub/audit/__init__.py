"""The audit trail: `write()` records who did what to which object, with what outcome."""
