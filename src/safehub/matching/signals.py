"""Keep each child's blocking keys current when the child or their address changes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from safehub.matching import index
from safehub.people.models import AddressPeriod, Child


@receiver(post_save, sender=Child)
def _child_saved(sender: type, instance: Child, **kwargs: Any) -> None:
    index.refresh([instance.pk])


@receiver(post_save, sender=AddressPeriod)
def _address_saved(sender: type, instance: AddressPeriod, **kwargs: Any) -> None:
    index.refresh([instance.child_id])
