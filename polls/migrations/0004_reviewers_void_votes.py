"""Reviewers may void bursts of votes (the votes stay stored, flagged, and leave the totals)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VOID = ("polls", "void_vote")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    reviewers.permissions.add(
        Permission.objects.get(content_type__app_label=VOID[0], codename=VOID[1])
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(content_type__app_label=VOID[0], codename=VOID[1])
    for group in Group.objects.filter(name="Reviewers"):
        group.permissions.remove(*permission)


class Migration(migrations.Migration):
    dependencies = [
        ("polls", "0003_vote_address_hash_and_voiding"),
        ("desk", "0002_reviewers_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
