from django import forms
from django.utils.translation import gettext_lazy as _


class ReviewForm(forms.Form):
    """A reviewer's decision: approve, or send back with what needs changing."""

    APPROVE = "approve"
    SEND_BACK = "send-back"

    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve and publish")), (SEND_BACK, _("Send back"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Required when sending back: say what needs changing."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.SEND_BACK and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what needs changing."))
        return cleaned
