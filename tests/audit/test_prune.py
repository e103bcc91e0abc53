"""Retention: prune_audit deletes what is older than AUDIT_RETENTION_DAYS, nothing else."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from dialogue_portal.audit.models import Action, Entry
from dialogue_portal.audit.services import record

pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def prune(*args):
    out = StringIO()
    call_command("prune_audit", *args, stdout=out)
    return out.getvalue()


@override_settings(AUDIT_RETENTION_DAYS=30)
def test_rows_older_than_the_retention_go(clock):
    old = record(Action.SIGNED_IN, actor_name="old")
    clock.shift(dt.timedelta(days=29, hours=23))
    edge = record(Action.SIGNED_IN, actor_name="edge")
    clock.shift(dt.timedelta(hours=2))  # "old" is now 30 days and an hour old
    assert "1 audit rows older than 30 days would be deleted" in prune("--dry-run")
    assert Entry.objects.count() == 2
    assert "1 audit rows older than 30 days deleted" in prune()
    assert list(Entry.objects.values_list("pk", flat=True)) == [edge.pk]
    assert not Entry.objects.filter(pk=old.pk).exists()


def test_the_default_keeps_a_year(clock, settings):
    assert settings.AUDIT_RETENTION_DAYS == 365
    record(Action.SIGNED_IN, actor_name="a year ago")
    clock.shift(dt.timedelta(days=364))
    prune()
    assert Entry.objects.count() == 1
    clock.shift(dt.timedelta(days=2))
    prune()
    assert Entry.objects.count() == 0


@override_settings(AUDIT_RETENTION_DAYS=0)
def test_zero_keeps_every_row(clock):
    record(Action.SIGNED_IN, actor_name="kept")
    clock.shift(dt.timedelta(days=5000))
    assert "every row is kept" in prune()
    assert Entry.objects.count() == 1


@override_settings(AUDIT_RETENTION_DAYS=-1)
def test_a_negative_retention_is_refused():
    record(Action.SIGNED_IN, actor_name="kept")
    with pytest.raises(CommandError):
        prune()
    assert Entry.objects.count() == 1
