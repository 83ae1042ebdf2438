from django.db import migrations

from fugong.enterprises.classification import DEFAULT_THRESHOLDS


def load(apps, schema_editor):
    SizeThreshold = apps.get_model("enterprises", "SizeThreshold")
    for sector, size_class, employees, revenue, assets in DEFAULT_THRESHOLDS:
        SizeThreshold.objects.update_or_create(
            sector=sector,
            size_class=size_class,
            defaults={
                "min_employees": employees,
                "min_revenue_wan": revenue,
                "min_assets_wan": assets,
                "source": "工信部联企业〔2011〕300号",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
