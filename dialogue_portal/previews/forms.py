import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogue_portal.previews import services

DEFAULT_DAYS = 7


class PreviewLinkForm(forms.Form):
    note = forms.CharField(
        label=_("For whom"),
        max_length=200,
        required=False,
        help_text=_("Only editors see this, e.g. “co-authors at RIAC”."),
    )
    expires_at = forms.DateTimeField(
        label=_("Works until"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the site's time zone; at most %(days)s days ahead.")
        % {"days": services.MAX_DAYS},
    )
    with_proposal = forms.BooleanField(
        label=_("Show the proposed changes, not the published version"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "expires_at": timezone.localtime().replace(second=0, microsecond=0)
                + dt.timedelta(days=DEFAULT_DAYS)
            },
        )
        super().__init__(*args, **kwargs)

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        services.check_expiry(expires_at)
        return expires_at
