import pytest
from django.dispatch import Signal
from django.test import Client

from dialogue_portal.twofactor import signals

PASSWORD = "pw-staff-123!"


def sign_in(client, username, password=PASSWORD, next_url="/admin/"):
    """The first step, as a browser takes it: the admin's login form."""
    return client.post(
        f"/admin/login/?next={next_url}",
        {"username": username, "password": password, "next": next_url},
    )


@pytest.fixture
def staff(django_user_model, editorial_groups):
    """A member of staff with no second factor yet."""
    return django_user_model.objects.create_user(
        "newcomer", "newcomer@example.org", PASSWORD, is_staff=True
    )


@pytest.fixture
def browser_client():
    """A client that signs in through the forms (never force_login)."""
    return Client()


class Received:
    """Every sending of the two-factor signals during a test, as (name, kwargs)."""

    def __init__(self):
        self.sent = []

    def named(self, name):
        return [kwargs for sent_name, kwargs in self.sent if sent_name == name]


@pytest.fixture
def received():
    record = Received()
    connected = []
    for name in dir(signals):
        signal = getattr(signals, name)
        if isinstance(signal, Signal):

            def receiver(sender, _name=name, **kwargs):
                if "device" in kwargs:  # its id as it was when sent
                    kwargs["device_pk"] = kwargs["device"].pk
                record.sent.append((_name, kwargs))

            signal.connect(receiver, weak=False)
            connected.append((signal, receiver))
    yield record
    for signal, receiver in connected:
        signal.disconnect(receiver)
