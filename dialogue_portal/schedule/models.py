from django.db import models


class ScheduledRun(models.Model):
    """One job enqueued for one period: the row the database lets exist once, so that
    however many schedulers run, on however many machines, each period's run is enqueued
    once (``schedule.enqueue_due``)."""

    job = models.CharField(max_length=40)
    period_start = models.DateTimeField()
    task_id = models.CharField(max_length=64, blank=True)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period_start"], name="schedule_once_a_period")
        ]

    def __str__(self):
        return f"{self.job} {self.period_start:%Y-%m-%d %H:%M:%S}"
