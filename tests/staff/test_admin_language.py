"""The admin speaks each editor's chosen language (else the browser's), whatever language
the public site is in, and choosing it changes nothing on the public site."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from dialogue_portal.staff.models import AdminProfile

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
PREFERENCES = reverse("staff:preferences")
RUSSIAN_HEADING = "Публикация и управление содержимым"  # "Publish and manage content"
ENGLISH_HEADING = "Publish and manage content"


@pytest.fixture
def russian_editor(django_user_model):
    user = django_user_model.objects.create_user(
        "redaktor-test", "r@example.org", "pw-redaktor-123!", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    AdminProfile.objects.create(user=user, admin_language="ru")
    return user


def heading_language(response):
    html = response.content.decode()
    if RUSSIAN_HEADING in html:
        return "ru"
    if ENGLISH_HEADING in html:
        return "en"
    raise AssertionError("the admin index heading is in neither language")


def test_the_profile_language_rules_the_admin(client, russian_editor):
    client.force_login(russian_editor)
    response = client.get(ADMIN, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert heading_language(response) == "ru"
    assert response["Content-Language"] == "ru"
    assert '<html lang="ru"' in response.content.decode()
    # Django's own admin strings come from Django's catalogue.
    assert "Выйти" in response.content.decode()  # "Log out"


def test_without_a_choice_the_browser_decides(editor_client):
    assert heading_language(editor_client.get(ADMIN, headers={"Accept-Language": "ru"})) == "ru"
    assert heading_language(editor_client.get(ADMIN, headers={"Accept-Language": "en"})) == "en"
    # A language the site does not offer: the next one the browser names, else English.
    assert heading_language(editor_client.get(ADMIN, headers={"Accept-Language": "de, ru"})) == "ru"
    assert heading_language(editor_client.get(ADMIN, headers={"Accept-Language": "de"})) == "en"
    assert heading_language(editor_client.get(ADMIN, headers={"Accept-Language": "@@;q=x"})) == "en"


def test_the_login_page_follows_the_browser(client):
    response = client.get(reverse("admin:login"), headers={"Accept-Language": "ru"})
    assert response["Content-Language"] == "ru"
    assert "Имя пользователя" in response.content.decode()  # "Username"


def test_the_site_cookie_and_prefix_do_not_change_the_admin(client, editor, russian_editor):
    client.force_login(editor)
    # The reader side in Russian: the switcher's view sets the language cookie.
    client.post("/i18n/setlang/", {"language": "ru", "next": "/ru/"})
    assert client.cookies["django_language"].value == "ru"
    assert client.get("/ru/")["Content-Language"] == "ru"
    response = client.get(ADMIN, headers={"Accept-Language": "en"})
    assert heading_language(response) == "en"

    client.force_login(russian_editor)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(ADMIN, headers={"Accept-Language": "en"})
    assert heading_language(response) == "ru"


def test_the_admin_language_does_not_change_the_site(client, russian_editor):
    client.force_login(russian_editor)
    client.get(ADMIN)
    client.get(PREFERENCES)
    assert "django_language" not in client.cookies
    home = client.get("/", headers={"Accept-Language": "en"})
    assert home["Content-Language"] == "en"
    assert '<html lang="en"' in home.content.decode()
    assert client.get("/ru/")["Content-Language"] == "ru"
    # And back in the admin, still Russian: the two never leak into each other.
    assert heading_language(client.get(ADMIN)) == "ru"


def test_an_editor_sets_their_own_language(editor_client, editor):
    page = editor_client.get(PREFERENCES, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert 'name="admin_language"' in page.content.decode()
    response = editor_client.post(PREFERENCES, {"admin_language": "ru"})
    assert response.status_code == 302
    assert AdminProfile.objects.get(user=editor).admin_language == "ru"
    followed = editor_client.get(response["Location"], headers={"Accept-Language": "en"})
    assert "Настройки сохранены." in followed.content.decode()
    assert heading_language(editor_client.get(ADMIN, headers={"Accept-Language": "en"})) == "ru"
    editor_client.post(PREFERENCES, {"admin_language": ""})
    assert heading_language(editor_client.get(ADMIN, headers={"Accept-Language": "en"})) == "en"


def test_a_junk_language_is_a_form_error(editor_client, editor):
    response = editor_client.post(PREFERENCES, {"admin_language": "xx"})
    assert response.status_code == 200
    assert response.context["form"].errors["admin_language"]
    assert not AdminProfile.objects.filter(user=editor).exists()


def test_preferences_need_a_staff_login_and_csrf(client, reader):
    assert client.get(PREFERENCES)["Location"].startswith(reverse("admin:login"))
    client.force_login(reader)
    assert client.get(PREFERENCES).status_code == 302  # not staff: sent to the login page
    client.logout()
    strict = Client(enforce_csrf_checks=True)
    staff = type(reader).objects.create_user("s", "s@example.org", "pw-s-1234567!", is_staff=True)
    strict.force_login(staff)
    assert strict.post(PREFERENCES, {"admin_language": "ru"}).status_code == 403
    assert not AdminProfile.objects.filter(user=staff).exists()


def test_a_superuser_sets_an_editors_language_on_the_user_page(client, superuser, editor):
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[editor.pk])
    page = client.get(url)
    assert "admin_profile-0-admin_language" in page.content.decode()
    form = page.context["adminform"].form
    data = {
        "username": editor.username,
        "first_name": "",
        "last_name": "",
        "email": editor.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [str(g.pk) for g in editor.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": form.initial["date_joined"].strftime("%Y-%m-%d"),
        "date_joined_1": form.initial["date_joined"].strftime("%H:%M:%S"),
        "admin_profile-TOTAL_FORMS": "1",
        "admin_profile-INITIAL_FORMS": "0",
        "admin_profile-MIN_NUM_FORMS": "0",
        "admin_profile-MAX_NUM_FORMS": "1",
        "admin_profile-0-admin_language": "ru",
        "admin_profile-0-user": str(editor.pk),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert AdminProfile.objects.get(user=editor).admin_language == "ru"
