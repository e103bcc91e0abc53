from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from dialogue_portal.staff.middleware import preferred_admin_language


class CodeForm(forms.Form):
    """A code at sign-in: six digits from an authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class TotpConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=8,
        help_text=_("The six digits the app shows for this site now."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class StaffPasswordResetForm(PasswordResetForm):
    """Django's reset form for staff only, the mail in each person's admin language.

    A reader's address gets no mail (and the page says the same whatever was typed)."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.is_staff)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        language = preferred_admin_language(context["user"]) or translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
