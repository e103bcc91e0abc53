"""The “Editors” group: everything an editor needs to publish, nothing over users or groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "people": {
        "institution": ("add", "change", "delete", "view"),
        "person": ("add", "change", "delete", "view"),
        "affiliation": ("add", "change", "delete", "view"),
    },
    "publications": {
        "publication": ("add", "change", "delete", "view"),
        "authorship": ("add", "change", "delete", "view"),
        "attachment": ("add", "change", "delete", "view"),
        "topic": ("add", "change", "delete", "view"),
        "region": ("add", "change", "delete", "view"),
        "audience": ("add", "change", "delete", "view"),
        "project": ("add", "change", "delete", "view"),
        "programme": ("add", "change", "delete", "view"),
        "rating": ("view",),
    },
    "polls": {
        "poll": ("add", "change", "delete", "view"),
        "choice": ("add", "change", "delete", "view"),
        "vote": ("view",),
    },
}


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    codenames = []
    for app_label, models in EDITOR_PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions:
                codenames.append((app_label, f"{action}_{model}"))
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in codenames
    ]
    group.permissions.set(permissions)


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("people", "0001_initial"),
        ("publications", "0001_initial"),
        ("polls", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
