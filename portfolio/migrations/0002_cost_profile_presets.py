"""Create the preset cost profiles (values frozen here; portfolio.costs.PRESETS holds the same numbers)."""

from django.db import migrations

PRESETS = [
    {
        "name": "French online broker",
        "commission_fixed": 0.0,
        "commission_rate": 0.001,
        "commission_min": 1.99,
        "commission_max": 15.0,
        "half_spread_vol_fraction": 0.02,
        "half_spread_floor": 0.0001,
        "ftt_rate": 0.003,
        "ftt_tickers": [],
        "ftt_exchanges": ["XPAR"],
        "borrow_rate_annual": 0.03,
        "capital_gains_rate": 0.30,
    },
    {
        "name": "Zero-commission broker",
        "commission_fixed": 0.0,
        "commission_rate": 0.0,
        "commission_min": 0.0,
        "commission_max": None,
        "half_spread_vol_fraction": 0.03,
        "half_spread_floor": 0.0002,
        "ftt_rate": 0.0,
        "ftt_tickers": [],
        "ftt_exchanges": [],
        "borrow_rate_annual": 0.03,
        "capital_gains_rate": 0.30,
    },
]


def create_presets(apps, schema_editor):
    CostProfile = apps.get_model("portfolio", "CostProfile")
    for preset in PRESETS:
        values = {k: v for k, v in preset.items() if k != "name"}
        CostProfile.objects.update_or_create(
            owner=None, name=preset["name"], defaults={**values, "is_preset": True}
        )


def remove_presets(apps, schema_editor):
    CostProfile = apps.get_model("portfolio", "CostProfile")
    CostProfile.objects.filter(owner=None, is_preset=True, name__in=[p["name"] for p in PRESETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]

    operations = [migrations.RunPython(create_presets, remove_presets)]
