import datetime as dt

from django.db import migrations

from fugong.outreach.rules import DEFAULT_RULE


def load(apps, schema_editor):
    OutreachRule = apps.get_model("outreach", "OutreachRule")
    OutreachRule.objects.get_or_create(
        effective_from=dt.date.fromisoformat(DEFAULT_RULE["effective_from"]),
        defaults={k: v for k, v in DEFAULT_RULE.items() if k != "effective_from"},
    )


class Migration(migrations.Migration):
    dependencies = [("outreach", "0002_visits_plans_tcm_rules")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
