from django import forms
from django.utils.translation import gettext_lazy as _

from dialogue_portal.newsletter.models import Subscriber
from publications.models import Topic

CONSENT_TEXT = _(
    "I agree to receive the newsletter by e-mail. My address is used for nothing else; every "
    "mail has a link to change my choices, download my data or erase it."
)


class NoLineBreaksMixin:
    """CR or LF in any submitted value is an error of that field: nothing typed into a
    one-line box may ever reach a mail header."""

    def clean(self):
        cleaned = super().clean()
        for name in self.fields:
            values = (
                self.data.getlist(self.add_prefix(name)) if hasattr(self.data, "getlist") else []
            )
            if any("\r" in value or "\n" in value for value in values):
                self.add_error(name, _("Line breaks are not allowed here."))
                cleaned.pop(name, None)
        return cleaned


def topic_choices():
    return [(topic.pk, topic.display_name) for topic in Topic.objects.order_by("name")]


class TopicsField(forms.TypedMultipleChoiceField):
    """Topics by id, checked against the choices offered: an unknown or junk id is a form
    error, never a database lookup."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            coerce=int,
            required=False,
            label=_("Topics"),
            help_text=_("Choose none to receive every topic."),
            **kwargs,
        )


class SubscribeForm(NoLineBreaksMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    language = forms.ChoiceField(
        label=_("Language"), choices=Subscriber.Language.choices, initial="en"
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscriber.Frequency.choices,
        initial=Subscriber.Frequency.WEEKLY,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(label=CONSENT_TEXT, required=True)
    source = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, with_topics=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_topics:
            self.fields["topics"] = TopicsField(choices=topic_choices())
            # Keep the order readers see: e-mail, language, topics, frequency, consent.
            order = ["email", "language", "topics", "frequency", "consent", "source"]
            self.order_fields(order)

    def clean_source(self):
        source = self.cleaned_data.get("source", "")
        return source if source.startswith("/") else ""


class PreferencesForm(NoLineBreaksMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Subscriber.Language.choices)
    topics = TopicsField()
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Subscriber.Frequency.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = topic_choices()
