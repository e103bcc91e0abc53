"""Editors manage redirects (the “Editors” group is made by publications' 0002)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("redirects")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="redirects",
            codename__in=[f"{action}_redirect" for action in ACTIONS],
        )
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="redirects"))


class Migration(migrations.Migration):
    dependencies = [
        ("redirects", "0001_redirects"),
        ("publications", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
