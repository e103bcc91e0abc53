"""Editors may look up how harvesters see a publication (view only: records follow publications)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("oai")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="oai", codename="view_record")
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="oai", codename="view_record")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("oai", "0001_records_and_set_memberships"),
        ("publications", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
