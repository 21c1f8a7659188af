"""The case file: one child's whole record, now or as it stood on a chosen date."""
