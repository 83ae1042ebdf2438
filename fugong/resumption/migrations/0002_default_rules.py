from django.db import migrations

from fugong.resumption.defaults import (
    CHECKLIST_EFFECTIVE_FROM,
    CHECKLIST_ITEMS,
    CHECKLIST_SOURCE,
    TRANSITIONS,
    WORKFLOW_SOURCE,
)


def load(apps, schema_editor):
    """The first checklist version and the transition table; idempotent (tests call it after a flush)."""
    Checklist = apps.get_model("resumption", "Checklist")
    ChecklistItem = apps.get_model("resumption", "ChecklistItem")
    Transition = apps.get_model("resumption", "Transition")
    if not Checklist.objects.exists():
        checklist = Checklist.objects.create(
            version=1,
            title="企业复工复产“十到位”检查表",
            effective_from=CHECKLIST_EFFECTIVE_FROM,
            source=CHECKLIST_SOURCE,
            note="默认版本",
        )
        for order, title, description, mandatory, evidence in CHECKLIST_ITEMS:
            ChecklistItem.objects.create(
                checklist=checklist,
                order=order,
                title=title,
                description=description,
                mandatory=mandatory,
                evidence=evidence,
            )
    for action, from_state, to_state, approval in TRANSITIONS:
        Transition.objects.get_or_create(
            action=action,
            from_state=from_state,
            defaults={"to_state": to_state, "approval": approval, "source": WORKFLOW_SOURCE},
        )


class Migration(migrations.Migration):
    dependencies = [("resumption", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
