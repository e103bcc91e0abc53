"""The admin's autocomplete fields on inline rows, in a fixed number of queries.

Django's autocomplete widget fetches the object it shows (the chosen person, the chosen
institution) in a query of its own, once per row and field: a publication with eight
authors took sixteen more queries to open than one with one. ``RowChoicesInline`` fetches
each row's chosen objects with the row (``select_related``) and shows them from there.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect


class LoadedChoiceSelect(AutocompleteSelect):
    """The admin's autocomplete select, showing ``loaded`` (the object the form's instance
    holds) when that is the value to show, without a query; any other value (an editor's
    new choice on a form sent back with errors) is fetched as Django does."""

    loaded = None

    def optgroups(self, name, value, attr=None):
        loaded = self.loaded
        empty = self.choices.field.empty_values
        chosen = {str(v) for v in value if str(v) not in empty}
        key = None if loaded is None else getattr(loaded, self.field.target_field.attname)
        if key is None or chosen != {str(key)}:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.choices.field.label_from_instance(loaded)
        options.append(self.create_option(name, key, label, chosen, len(options)))
        return [(None, options, 0)]


class LoadedChoicesForm(forms.ModelForm):
    """Hands each ``LoadedChoiceSelect`` the object its instance already holds (fetched
    with the row); one not fetched is left to the widget, so nothing is read twice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # inside the admin's wrapper
            if not isinstance(widget, LoadedChoiceSelect):
                continue
            model_field = self.instance._meta.get_field(name)
            if model_field.is_cached(self.instance):
                widget.loaded = getattr(self.instance, name)


class RowChoicesInline:
    """Mixed into an inline: its foreign keys in ``autocomplete_fields`` are fetched with
    the rows and shown from there, so the form takes the same queries however many rows."""

    form = LoadedChoicesForm

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.loaded_keys(request))

    def loaded_keys(self, request):
        """The foreign keys among the autocomplete fields (not the many-to-many ones)."""
        names = self.get_autocomplete_fields(request)
        return [name for name in names if self.model._meta.get_field(name).many_to_one]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", LoadedChoiceSelect(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
