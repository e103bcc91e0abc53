import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dialogue_portal.staff import demo
from dialogue_portal.staff.models import AdminProfile

pytestmark = pytest.mark.django_db


def test_the_russian_editor_is_added_once_and_sees_the_admin_in_russian(client, editorial_groups):
    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    assert "redaktor / dialogue-redaktor" in out.getvalue()
    user = get_user_model().objects.get(username="redaktor")
    assert user.check_password("dialogue-redaktor")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert AdminProfile.objects.get(user=user).admin_language == "ru"
    client.force_login(user)
    response = client.get(reverse("admin:index"), headers={"Accept-Language": "en"})
    assert response["Content-Language"] == "ru"
    assert "Публикации" in response.content.decode()
