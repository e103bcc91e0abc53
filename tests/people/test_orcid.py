"""ORCID iDs are checked with their ISO 7064 MOD 11-2 check digit, not only their shape."""

import pytest
from django.urls import reverse

from people.identifiers import orcid_check_digit
from people.models import Person

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:people_person_add")


def person_form(**overrides):
    data = {
        "given_name": "Sarah",
        "family_name": "Lain",
        "slug": "sarah-lain",
        "honorific": "",
        "position": "",
        "short_bio": "",
        "bio": "",
        "orcid": "",
        "given_name_ru": "",
        "family_name_ru": "",
        "honorific_ru": "",
        "position_ru": "",
        "short_bio_ru": "",
        "bio_ru": "",
        "affiliations-TOTAL_FORMS": "0",
        "affiliations-INITIAL_FORMS": "0",
        "affiliations-MIN_NUM_FORMS": "0",
        "affiliations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("first_fifteen", "check"),
    [
        ("000000021825009", "7"),  # ORCID's own examples
        ("000000015109370", "0"),
        ("000000021694233", "X"),
    ],
)
def test_the_check_digit(first_fifteen, check):
    assert orcid_check_digit(first_fifteen) == check


@pytest.mark.parametrize("orcid", ["0000-0002-1825-0097", "0000-0002-1694-233X", ""])
def test_a_valid_orcid_is_saved(editor_client, orcid):
    response = editor_client.post(ADD_URL, person_form(orcid=orcid))
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert Person.objects.get(slug="sarah-lain").orcid == orcid


@pytest.mark.parametrize(
    ("orcid", "message"),
    [
        ("0000-0002-1825-0098", "wrong check digit"),  # one digit off
        ("0000-0002-1825-0079", "wrong check digit"),  # two digits swapped
        ("0000-0002-1694-2330", "wrong check digit"),
        ("0000000218250097", "such as"),
        ("0000-0002-1825-009x", "such as"),
        ("orcid.org/0000-0002", "such as"),
        ("https://orcid.org/0000-0002-1825-0097", "at most 19"),
    ],
)
def test_an_invalid_orcid_is_a_form_error(editor_client, orcid, message):
    response = editor_client.post(ADD_URL, person_form(orcid=orcid))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["orcid"]
    assert message in str(errors)
    assert not Person.objects.exists()
