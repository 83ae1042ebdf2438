"""Leaner log indexes: the audit and access logs lose their unused *_like twins and single-column indexes the
composite one covers (every audited write paid for ten indexes). Only indexes change — on SQLite an AlterField
would rebuild the tables and drop the append-only triggers of 0002, so the field changes are state-only and the
old indexes are dropped by name."""

from django.conf import settings
from django.db import migrations, models

OLD_INDEXES = {
    "core_accesslog": ("core_accesslog_kind_1dfc0c1e", "core_accesslog_subject_id_ab2f6757"),
    "core_auditlog": (
        "core_auditlog_action_978477aa",
        "core_auditlog_object_type_0be9ff90",
        "core_auditlog_object_id_0c320e9b",
    ),
}


def drop_old_indexes(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for names in OLD_INDEXES.values():
        for name in names:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
            if postgres:
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name}_like"')


def restore_old_indexes(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, names in OLD_INDEXES.items():
        for name in names:
            column = name[len(table) + 1 : name.rindex("_")]
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')
            if postgres:
                schema_editor.execute(
                    f'CREATE INDEX IF NOT EXISTS "{name}_like" ON "{table}" ("{column}" varchar_pattern_ops)'
                )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_figuresnapshot"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.AlterField(
                model_name='accesslog',
                name='kind',
                field=models.CharField(choices=[('view', '查看'), ('reveal', '查看明文'), ('export', '导出')], max_length=10, verbose_name='类型'),
            ),
            migrations.AlterField(
                model_name='accesslog',
                name='subject_id',
                field=models.CharField(blank=True, max_length=64, verbose_name='数据主体编号'),
            ),
            migrations.AlterField(
                model_name='auditlog',
                name='action',
                field=models.CharField(max_length=60, verbose_name='操作'),
            ),
            migrations.AlterField(
                model_name='auditlog',
                name='object_id',
                field=models.CharField(blank=True, max_length=64, verbose_name='对象编号'),
            ),
            migrations.AlterField(
                model_name='auditlog',
                name='object_type',
                field=models.CharField(max_length=60, verbose_name='对象类型'),
            ),
            ],
            database_operations=[migrations.RunPython(drop_old_indexes, restore_old_indexes)],
        ),
        migrations.AddIndex(
            model_name='accesslog',
            index=models.Index(fields=['kind'], name='core_access_kind'),
        ),
        migrations.AddIndex(
            model_name='accesslog',
            index=models.Index(fields=['subject_id'], name='core_access_subject_id'),
        ),
        migrations.AddIndex(
            model_name='auditlog',
            index=models.Index(fields=['object_id'], name='core_audit_object_id'),
        ),
        migrations.AddIndex(
            model_name='auditlog',
            index=models.Index(fields=['action'], name='core_audit_action', opclasses=['varchar_pattern_ops']),
        ),
    ]
