import pytest


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    """These tests sign in dozens of times: a fast hasher keeps them quick (the hasher is
    not what they test)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
