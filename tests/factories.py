"""factory_boy factories shared by every test package; each app adds its own below its section."""

from __future__ import annotations

import datetime

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


# --- mlcore ---------------------------------------------------------------------------------------------


class ModelVersionFactory(factory.django.DjangoModelFactory):
    """A stored champion whose out-of-sample record gives it ``reliability`` (no artefact: it serves
    predictions only through a test's hand-built frame).

    ``ModelVersion.reliability`` grows with the rank IC's t-statistic up to 1 at t = 3 when the hit rate
    beats a coin and t clears MLCORE_PROMOTION_MIN_T (2.0), so the record says t = 3 × reliability: use
    0 (no demonstrated edge) or a reliability above 2/3.
    """

    class Meta:
        model = "mlcore.ModelVersion"  # by label: mlcore's module layout may change

    class Params:
        reliability = 1.0

    algorithm = "ridge"
    horizon = 5
    train_start = datetime.date(2016, 1, 4)
    train_end = datetime.date(2021, 3, 31)
    data_sha256 = factory.Sequence(lambda n: f"{n:064x}")
    status = "champion"
    metrics = factory.LazyAttribute(
        lambda o: {
            "oos": {
                "rank_ic_mean": 0.03 if o.reliability > 0 else 0.0,
                "rank_ic_t": 3.0 * o.reliability,
                "hit_rate": 0.55 if o.reliability > 0 else 0.5,
            }
        }
    )
