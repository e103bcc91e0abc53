"""Editors compose, test and send newsletter issues and see subscribers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {
    "issue": ("add", "change", "delete", "view"),
    "subscriber": ("change", "view"),
    "delivery": ("view",),
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("newsletter")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    for model, actions in PERMISSIONS.items():
        for action in actions:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label="newsletter", codename=f"{action}_{model}"
                )
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Editors").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="newsletter")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_subscribers_issues_deliveries"),
        ("publications", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
