"""Subscribers' personal data and sending to everyone move from every editor to the
"Newsletter managers" group: two permissions of their own, and "Editors" keep composing and
testing issues only."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Newsletter managers"
# What editors lose: the subscriber and delivery pages (addresses, consent, deliveries).
FROM_EDITORS = ["view_subscriber", "change_subscriber", "view_delivery"]
MANAGERS = [
    "manage_subscribers",
    "send_issue",
    "view_subscriber",
    "change_subscriber",
    "view_delivery",
    "view_issue",
    "change_issue",
]


def create_managers_group(apps, schema_editor):
    app_config = apps.get_app_config("newsletter")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(codenames):
        return Permission.objects.filter(
            content_type__app_label="newsletter", codename__in=codenames
        )

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.remove(*permissions(FROM_EDITORS))
    managers, _ = Group.objects.get_or_create(name=GROUP)
    managers.permissions.set(permissions(MANAGERS))


def remove_managers_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name=GROUP).delete()
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="newsletter", codename__in=FROM_EDITORS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0002_editors_newsletter_permissions"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="issue",
            options={
                "ordering": ["-sent_at", "-pk"],
                "permissions": [("send_issue", "Can send an issue to every subscriber")],
                "verbose_name": "newsletter issue",
                "verbose_name_plural": "newsletter issues",
            },
        ),
        migrations.AlterModelOptions(
            name="subscriber",
            options={
                "ordering": ["-created_at", "-pk"],
                "permissions": [
                    (
                        "manage_subscribers",
                        "Can see, export and erase subscribers' personal data",
                    )
                ],
                "verbose_name": "subscriber",
                "verbose_name_plural": "subscribers",
            },
        ),
        migrations.RunPython(create_managers_group, remove_managers_group),
    ]
