"""The "Reviewers" group: publishing and approving. A reviewer is a member of "Editors" too
(which every app extends with what editors may change), and of this group for the publish
permission; "Editors" lose it (they submit drafts and propose changes instead)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PUBLISH = ("publications", "publish_publication")
REVIEWER_EXTRA = [PUBLISH, ("desk", "view_decision"), ("desk", "view_proposal")]


def create_reviewers_group(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permission(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.remove(permission(*PUBLISH))
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    reviewers.permissions.set([permission(*pair) for pair in REVIEWER_EXTRA])


def remove_reviewers_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Reviewers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0001_initial"),
        ("publications", "0008_publish_permission"),
        ("publications", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(create_reviewers_group, remove_reviewers_group)]
