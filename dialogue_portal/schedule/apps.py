from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    """The periodic jobs: enqueued once a period for the task worker (jobs.py)."""

    name = "dialogue_portal.schedule"
    label = "schedule"
    default_auto_field = "django.db.models.BigAutoField"
