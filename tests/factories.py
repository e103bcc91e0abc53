"""Small factories: each test builds exactly the rows it needs."""

import datetime as dt
import itertools
import time

import pyotp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogue_portal.twofactor.services import base32_secret, hex_key
from people.models import Affiliation, Institution, Person
from polls.models import Choice, Poll
from publications.demo_files import banner_png, simple_pdf
from publications.models import (
    Attachment,
    Audience,
    Authorship,
    Programme,
    Project,
    Publication,
    Region,
    Topic,
)
from publications.search import refresh_search_vector

_counter = itertools.count(1)


def _n():
    return next(_counter)


def make_institution(**fields):
    n = _n()
    fields.setdefault("name", f"Institute {n}")
    fields.setdefault("short_name", f"INST{n}")
    fields.setdefault("slug", f"institute-{n}")
    return Institution.objects.create(**fields)


def make_person(institution=None, **fields):
    n = _n()
    fields.setdefault("given_name", f"Given{n}")
    fields.setdefault("family_name", f"Family{n}")
    fields.setdefault("slug", f"person-{n}")
    fields.setdefault("position", "Research Fellow")
    person = Person.objects.create(**fields)
    if institution is not None:
        Affiliation.objects.create(person=person, institution=institution, role="Fellow")
    return person


def make_term(model, **fields):
    n = _n()
    fields.setdefault("name", f"{model.__name__} {n}")
    fields.setdefault("slug", f"{model.__name__.lower()}-{n}")
    return model.objects.create(**fields)


def make_topic(**fields):
    return make_term(Topic, **fields)


def make_region(**fields):
    return make_term(Region, **fields)


def make_project(**fields):
    return make_term(Project, **fields)


def make_programme(**fields):
    return make_term(Programme, **fields)


def make_audience(**fields):
    return make_term(Audience, **fields)


def make_publication(*, authors=(), topics=(), regions=(), days_ago=1, **fields):
    """A published publication by default; pass status/published_at for drafts or scheduled."""
    n = _n()
    fields.setdefault("title", f"Publication {n}")
    fields.setdefault("slug", f"publication-{n}")
    fields.setdefault("summary", f"Summary of publication {n}.")
    fields.setdefault("status", Publication.Status.PUBLISHED)
    if "published_at" not in fields:
        fields["published_at"] = timezone.now() - dt.timedelta(days=days_ago)
    publication = Publication.objects.create(**fields)
    for order, person in enumerate(authors, start=1):
        Authorship.objects.create(publication=publication, person=person, order=order)
    publication.topics.set(topics)
    publication.regions.set(regions)
    refresh_search_vector(publication)  # as the admin does after saving authors (PostgreSQL)
    return publication


def make_attachment(publication, **fields):
    fields.setdefault("title", "Full report")
    attachment = Attachment(publication=publication, **fields)
    attachment.file = SimpleUploadedFile("report.pdf", simple_pdf("Report", ["text"]))
    attachment.save()
    return attachment


def make_poll(answers=("Yes", "No"), **fields):
    n = _n()
    fields.setdefault("question", f"Question {n}?")
    fields.setdefault("slug", f"poll-{n}")
    fields.setdefault("opens_at", timezone.now() - dt.timedelta(days=1))
    poll = Poll.objects.create(**fields)
    for order, text in enumerate(answers, start=1):
        Choice.objects.create(poll=poll, text=text, order=order)
    return poll


def png_upload(name="banner.png", size=(40, 20)):
    return SimpleUploadedFile(name, banner_png(size=size), content_type="image/png")


def pdf_upload(name="report.pdf"):
    return SimpleUploadedFile(name, simple_pdf("Report", ["text"]), content_type="application/pdf")


# Every member of staff signs in with a second factor; test staff get an authenticator app
# with this secret (each its own device), and tests compute its codes with pyotp.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_authenticator(user, secret=TEST_TOTP_SECRET):
    """The user's confirmed authenticator app (made the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Test authenticator", key=hex_key(secret), confirmed=True
        )
    return device


def totp_code(device, at=None):
    """The code the user's authenticator app shows now (or at ``at``, a datetime).

    Now, a code django-otp still takes: once this step's code was used (a second sign-in in
    the same 30 seconds), the next step's, which it accepts a step early, as a person would
    wait for the next code."""
    totp = pyotp.TOTP(base32_secret(device))
    if at is not None:
        return totp.at(at)
    device.refresh_from_db()
    step = int(time.time()) // totp.interval
    while step <= device.last_t:
        step += 1
    return totp.at(step * totp.interval)
