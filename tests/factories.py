"""factory_boy factories shared by every test package; each app adds its own below its section."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from swingtrade.accounts import roles, services

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs) -> None:
        if create:
            services.role_assign(user=self, role=extracted or roles.INVESTOR)
            self.save()
