"""The attacks of issue 26 against the admin's login: guessing one password on many accounts
from one address, and one account from many addresses, are both locked out now; each
further lockout lasts twice as long; and each lockout is in the audit trail, once."""

import datetime as dt

import pytest
from django.test import Client, override_settings

from dialogue_portal.audit.models import Entry

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

LOGIN = "/admin/login/?next=/admin/"


def attempt(username, password, address):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(response):
    return response.status_code == 302 and response["Location"] == "/admin/"


def make_staff(django_user_model, count):
    for n in range(count):
        django_user_model.objects.create_user(
            f"staff{n}", password=f"pw-staff-{n}-secret", is_staff=True
        )


@override_settings(TRUSTED_PROXY_COUNT=0, AXES_FAILURE_LIMIT=5, AXES_COOLOFF_MINUTES=15)
def test_ten_usernames_one_password_from_one_address_is_locked(django_user_model):
    make_staff(django_user_model, 10)
    answers = [attempt(f"staff{n}", "Summer2026!", "203.0.113.50") for n in range(10)]
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert {a.status_code for a in answers[4:]} == {429}  # the fifth locks the address
    # Even the right password of an account not yet tried is refused from that address...
    assert not signed_in(attempt("staff9", "pw-staff-9-secret", "203.0.113.50"))
    # ...while the same account signs in from elsewhere.
    assert signed_in(attempt("staff9", "pw-staff-9-secret", "198.51.100.9"))
    assert Entry.objects.filter(action="locked-out", ip="203.0.113.50").count() == 1


@override_settings(TRUSTED_PROXY_COUNT=0, AXES_FAILURE_LIMIT=5, AXES_COOLOFF_MINUTES=15)
def test_one_username_from_many_addresses_is_locked(editor):
    answers = [attempt("editor", f"guess-{n}", f"198.51.100.{n + 1}") for n in range(8)]
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert {a.status_code for a in answers[4:]} == {429}
    # The right password from an address never seen before is refused too.
    assert not signed_in(attempt("editor", "pw-editor-123!", "192.0.2.77"))
    lockouts = Entry.objects.filter(action="locked-out")
    assert [(e.actor_id, e.actor_name) for e in lockouts] == [(editor.pk, "editor")]


@override_settings(TRUSTED_PROXY_COUNT=0, AXES_FAILURE_LIMIT=3, AXES_COOLOFF_MINUTES=10)
def test_each_further_lockout_lasts_twice_as_long(editor, clock):
    def lock_out():
        for n in range(3):
            attempt("editor", f"guess-{n}", "203.0.113.60")

    lock_out()
    clock.shift(dt.timedelta(minutes=9))
    assert not signed_in(attempt("editor", "pw-editor-123!", "203.0.113.60"))
    clock.shift(dt.timedelta(minutes=2))  # the first lockout: 10 minutes
    assert signed_in(attempt("editor", "pw-editor-123!", "203.0.113.60"))

    lock_out()  # the second within a day: 20 minutes
    clock.shift(dt.timedelta(minutes=15))
    assert not signed_in(attempt("editor", "pw-editor-123!", "203.0.113.60"))
    clock.shift(dt.timedelta(minutes=6))
    assert signed_in(attempt("editor", "pw-editor-123!", "203.0.113.60"))

    lock_out()  # the third: 40 minutes
    clock.shift(dt.timedelta(minutes=35))
    assert not signed_in(attempt("editor", "pw-editor-123!", "203.0.113.60"))
    clock.shift(dt.timedelta(minutes=6))
    assert signed_in(attempt("editor", "pw-editor-123!", "203.0.113.60"))
    assert Entry.objects.filter(action="locked-out").count() == 3


@override_settings(
    TRUSTED_PROXY_COUNT=0,
    AXES_FAILURE_LIMIT=3,
    AXES_COOLOFF_MINUTES=10,
    AXES_COOLOFF_MAX_MINUTES=15,
    AXES_BACKOFF_WINDOW_HOURS=1,
)
def test_the_back_off_has_a_ceiling_and_forgets_after_its_window(editor, clock):
    for _round in range(3):
        for n in range(3):
            attempt("editor", f"guess-{n}", "203.0.113.61")
        clock.shift(dt.timedelta(minutes=16))  # never more than the 15-minute ceiling
        assert signed_in(attempt("editor", "pw-editor-123!", "203.0.113.61"))
    clock.shift(dt.timedelta(hours=2))  # the earlier lockouts are out of the window
    for n in range(3):
        attempt("editor", f"guess-{n}", "203.0.113.61")
    clock.shift(dt.timedelta(minutes=11))
    assert signed_in(attempt("editor", "pw-editor-123!", "203.0.113.61"))
