"""Keep each child's blocking keys current when the child, an alias or an address changes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from safehub.matching import index
from safehub.people.models import AddressPeriod, Child, ChildAlias


@receiver(post_save, sender=Child)
def _child_saved(sender: type, instance: Child, **kwargs: Any) -> None:
    index.refresh([instance.pk])


@receiver(post_save, sender=AddressPeriod)
def _address_saved(sender: type, instance: AddressPeriod, **kwargs: Any) -> None:
    index.refresh([instance.child_id])


@receiver(post_save, sender=ChildAlias)
@receiver(post_delete, sender=ChildAlias)
def _alias_changed(sender: type, instance: ChildAlias, **kwargs: Any) -> None:
    # An alias deleted with its child (a cascade) leaves nothing to file.
    if Child.objects.filter(pk=instance.child_id).exists():
        index.refresh([instance.child_id])
