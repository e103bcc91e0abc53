"""Demo: a Russian-speaking editor whose admin is in Russian (called by the demo loader)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from dialogue_portal.staff.models import AdminProfile

USERNAME = "redaktor"
PASSWORD = "dialogue-redaktor"  # noqa: S105 - the demo's published login, like the others


def load(stdout):
    """Add (or bring back) the editor ``redaktor``: staff, in Editors, admin in Russian.

    Idempotent: a second run changes nothing, and keeps a password changed since."""
    user, created = get_user_model().objects.get_or_create(
        username=USERNAME,
        defaults={
            "is_staff": True,
            "email": f"{USERNAME}@example.org",
            "first_name": "Мария",
            "last_name": "Редакторова",
        },
    )
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    elif not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name="Editors"))
    AdminProfile.objects.update_or_create(user=user, defaults={"admin_language": "ru"})
    stdout.write(f"  login: {USERNAME} / {PASSWORD} (editor, admin in Russian)")
