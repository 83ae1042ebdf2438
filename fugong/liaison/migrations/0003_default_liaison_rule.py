import datetime as dt

from django.db import migrations

from fugong.liaison.rules import DEFAULT_RULE


def load(apps, schema_editor):
    LiaisonRule = apps.get_model("liaison", "LiaisonRule")
    LiaisonRule.objects.get_or_create(
        effective_from=dt.date.fromisoformat(DEFAULT_RULE["effective_from"]),
        defaults={k: v for k, v in DEFAULT_RULE.items() if k != "effective_from"},
    )


class Migration(migrations.Migration):
    dependencies = [("liaison", "0002_help_teams_visits_rules")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
