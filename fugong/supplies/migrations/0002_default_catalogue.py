from django.db import migrations

from fugong.supplies.defaults import load


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
