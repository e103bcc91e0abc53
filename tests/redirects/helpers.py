"""The admin's change form as an editor would post it back, read from the form itself."""

import datetime as dt

from django.db.models.fields.files import FieldFile
from django.forms import SplitDateTimeWidget
from django.test import TestCase
from django.urls import reverse

from dialogue_portal.desk.conflicts import LOADED


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _fields(form, data):
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field.widget, SplitDateTimeWidget):
            if isinstance(value, dt.datetime):
                data[key + "_0"], data[key + "_1"] = (
                    value.strftime("%Y-%m-%d"),
                    value.strftime("%H:%M:%S"),
                )
            else:
                data[key + "_0"] = data[key + "_1"] = ""
        elif isinstance(value, FieldFile):
            continue
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is None:
            data[key] = ""
        elif isinstance(value, (list, tuple)):
            data[key] = [str(item) for item in value]
        else:
            data[key] = str(value)


def change_data(client, obj, **overrides):
    """POST data of ``obj``'s change form, unchanged but for ``overrides``."""
    response = client.get(change_url(obj))
    assert response.status_code == 200, response.status_code
    data = {}
    _fields(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        data[management.add_prefix("TOTAL_FORMS")] = str(formset.initial_form_count())
        for form in formset.initial_forms:
            _fields(form, data)
    data[LOADED] = response.context["desk_loaded"]  # the state it was loaded from
    data.update(overrides)
    return data


def rename(client, obj, slug, **overrides):
    """The editor changes ``obj``'s slug in the admin; the response of the save."""
    data = change_data(client, obj, slug=slug, **overrides)
    # The test's transaction never commits: run what waits for the commit (the caches'
    # move, dialogue_portal.core.freshness) as the admin's own commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(change_url(obj), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response
