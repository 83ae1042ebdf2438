"""The default screening rules (domain-rules §4) as version 1, in effect from the start of 2020. The district
admin replaces them with new versions (never by editing this one)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

SOURCE = "《企事业单位复工复产疫情防控措施指南》（国务院应对新冠肺炎疫情联防联控机制，2020年2月）"


def load(apps, schema_editor):
    ScreeningRuleSet = apps.get_model("screening", "ScreeningRuleSet")
    if ScreeningRuleSet.objects.exists():
        return
    ScreeningRuleSet.objects.create(
        version=1,
        effective_from=dt.date(2020, 1, 1),
        source=SOURCE,
        observation_days=14,
        fever_threshold_c=Decimal("37.3"),
        quarantine_levels=["medium", "high"],
        non_resident_test_required=True,
        red_code_days=14,
        yellow_code_days=7,
        symptoms_abnormal=True,
        note="默认规则：体温≥37.3℃为异常；14天内到过中高风险地区隔离观察14天，期满核酸阴性后上岗；"
        "非常住人员返岗后核酸阴性方可上岗；红码隔离14天、黄码7天。",
    )


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
