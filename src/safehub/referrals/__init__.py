"""Referrals into the hub, their screening and the decision on each."""
