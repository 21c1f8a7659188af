"""factory_boy factories. Every name and detail here is invented."""

from __future__ import annotations

import factory

from safehub.access.models import Agency, AgencyType, Role, User

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test agency {n}")
    agency_type = AgencyType.CHILDRENS_SERVICES


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    agency = factory.SubFactory(AgencyFactory)
    role = Role.HUB_PRACTITIONER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


class SupportServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partnership.SupportService"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test service {n}")
    agency = factory.SubFactory(
        AgencyFactory, name="Youth Service", agency_type=AgencyType.YOUTH_SERVICE
    )
