from django import forms

from dialogue_portal.staff.models import AdminProfile


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = AdminProfile
        fields = ["admin_language"]
        widgets = {"admin_language": forms.RadioSelect}
