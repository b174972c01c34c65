from django.db import migrations


def seed_plans(apps, schema_editor):
    """The catalogue's plans as rows (later edits happen in the vendor console, not here)."""
    from billing.catalogue import TIERS, plan_defaults

    Plan = apps.get_model("billing", "Plan")
    for tier in TIERS.values():
        Plan.objects.get_or_create(code=tier.code, defaults=plan_defaults(tier))


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(seed_plans, migrations.RunPython.noop)]
