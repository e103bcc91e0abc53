import pytest

from tests.desk.russian_admin import honour_accept_language_in_admin


@pytest.fixture
def admin_in_browser_language(monkeypatch):
    honour_accept_language_in_admin(monkeypatch)
