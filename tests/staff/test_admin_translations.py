"""Every string of ours that the admin shows has a Russian translation: models' and fields'
names, help texts and choices, inline and fieldset titles, columns, actions and filters of
every registered admin, and our own admin pages. A new string without one fails here."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.urls import reverse
from django.utils import translation

from dialogue_portal.staff.models import AdminProfile

# Every app of the project (not Django's own, nor a library's) but "pages", whose
# created/updated fields have no names of their own yet (auto "created at").
OUR_APPS = {
    config.label
    for config in apps.get_app_configs()
    if not config.name.startswith(("django.", "axes", "django_", "whitenoise"))
} - {"pages"}
# Strings that read the same in Russian (names, abbreviations, examples).
SAME_IN_RUSSIAN = {"ID", "DOI", "ORCID iD", "RUSI", "user:ID or anon:TOKEN", "OAI-PMH"}


def _in(language, text):
    with translation.override(language):
        return str(text)


def admin_strings():
    """(where, text) for each string of ours that a registered admin shows."""
    found = []

    def model_strings(model):
        meta = model._meta
        found.append((f"{meta.label} verbose_name", meta.verbose_name))
        found.append((f"{meta.label} verbose_name_plural", meta.verbose_name_plural))
        found.append((f"app {meta.app_label}", apps.get_app_config(meta.app_label).verbose_name))
        for field in meta.get_fields():
            if field.auto_created and not field.concrete:
                continue  # reverse relations: the other model names them
            where = f"{meta.label}.{field.name}"
            found.append((f"{where} verbose_name", field.verbose_name))
            if field.help_text:
                found.append((f"{where} help_text", field.help_text))
            for _value, label in field.flatchoices or ():
                if label not in ("", "---------"):
                    found.append((f"{where} choice", label))

    def described(model_admin, names, kind):
        for name in names:
            if callable(name) or (isinstance(name, str) and hasattr(model_admin, name)):
                function = name if callable(name) else getattr(model_admin, name)
                if hasattr(function, "short_description"):
                    found.append((f"{model_admin} {kind} {name}", function.short_description))

    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_APPS:
            if not any(i.model._meta.app_label in OUR_APPS for i in model_admin.inlines):
                continue
        else:
            model_strings(model)
        for inline in model_admin.inlines:
            if inline.model._meta.app_label in OUR_APPS:
                model_strings(inline.model)
            described(inline, inline.readonly_fields, "readonly field")
        for title, _options in model_admin.fieldsets or ():
            if title:
                found.append((f"{model_admin} fieldset", title))
        described(model_admin, model_admin.list_display, "column")
        described(model_admin, model_admin.readonly_fields, "readonly field")
        described(model_admin, model_admin.actions or (), "action")
        for list_filter in model_admin.list_filter:
            if isinstance(list_filter, type) and issubclass(list_filter, SimpleListFilter):
                found.append((f"{model_admin} filter", list_filter.title))
    return found


def test_the_walk_finds_what_the_admin_shows():
    texts = {str(text) for _where, text in admin_strings()}
    for expected in [
        "publication",  # a model
        "publish date",  # a field
        "A future date schedules the publication.",  # a help text
        "Conference report",  # a choice
        "Publish the selected publications now",  # an action
        "Banner image",  # a fieldset
        "votes per day",  # a read-only field of the poll admin
        "admin language",  # ours
        "As my browser asks",  # ours, a choice
    ]:
        assert expected in texts


def test_every_admin_string_of_ours_has_a_russian_translation():
    missing = sorted(
        f"{where}: {str(text)!r}"
        for where, text in admin_strings()
        if str(text) not in SAME_IN_RUSSIAN and _in("ru", text) == _in("en", text)
    )
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        reverse("staff:figures"),
        reverse("staff:preferences"),
        reverse("admin:publications_publication_add"),
        reverse("admin:polls_poll_add"),
        reverse("admin:people_person_add"),
    ],
)
def test_our_admin_pages_show_no_english_of_ours_in_russian(client, editor, url):
    AdminProfile.objects.create(user=editor, admin_language="ru")
    client.force_login(editor)
    html = client.get(url).content.decode()
    for english in [
        "Figures",
        "My preferences",
        "Publish and manage content",
        "Views",
        "Period",
        "banner image",
        "publish date",
        "Publishing",
        "When and where",
        "admin language",
    ]:
        assert f">{english}<" not in html and f"{english}:" not in html, (url, english)
