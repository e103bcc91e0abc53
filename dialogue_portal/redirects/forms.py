from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dialogue_portal.redirects.models import Redirect
from dialogue_portal.redirects.services import clean_row, resolve_target
from dialogue_portal.redirects.spreadsheet import read_csv

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class RedirectForm(forms.ModelForm):
    class Meta:
        model = Redirect
        fields = ["old_path", "status", "target", "include_below", "note"]
        widgets = {
            "old_path": forms.TextInput(attrs={"size": 80}),
            "target": forms.TextInput(attrs={"size": 80}),
        }

    def clean(self):
        data = super().clean()
        if "old_path" in self.errors or "status" in self.errors:
            return data
        try:
            key, target, status = clean_row(
                data.get("old_path"), data.get("target"), data["status"]
            )
            target = resolve_target(key, target, self.instance.pk)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        # The model's own checks (one redirect per address) then see the stored forms.
        data.update(old_path=key, target=target, status=status)
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One redirect per line: old_path,new_path_or_url,status (301, 302 or 410; "
            "301 when empty). Old addresses may be paths or full addresses of an old site."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Only check it: show what would change, save nothing"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        self.rows = read_csv(upload.read(), source=self.source)
        return upload
