"""Django's password backend, reading the signed-in user with their agency in one query.

Every page names the reader's agency (the footer) and every scoped query reads `agency_id`;
loading the agency with the user saves a query on each request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from safehub.access.models import User


class UserAndAgencyBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("agency").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
