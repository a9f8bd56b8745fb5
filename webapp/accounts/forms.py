from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User

from webapp.accounts.models import TokenScope

ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def clean_orcid(value: str) -> str:
    value = value.strip().removeprefix("https://orcid.org/")
    if value and not ORCID_RE.match(value):
        raise forms.ValidationError("An ORCID iD looks like 0000-0002-1825-0097.")
    return value


class SignUpForm(UserCreationForm):
    email = forms.EmailField(required=True)
    display_name = forms.CharField(max_length=200, required=False, label="Full name")
    orcid = forms.CharField(max_length=40, required=False, label="ORCID iD")
    affiliation = forms.CharField(max_length=300, required=False)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_orcid(self):
        return clean_orcid(self.cleaned_data["orcid"])

    def save(self, commit=True):  # pragma: no cover - views call actions.sign_up instead
        raise NotImplementedError("use webapp.accounts.actions.sign_up")


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=200, required=False, label="Full name")
    email = forms.EmailField(required=True)
    orcid = forms.CharField(max_length=40, required=False, label="ORCID iD")
    affiliation = forms.CharField(max_length=300, required=False)

    def clean_orcid(self):
        return clean_orcid(self.cleaned_data["orcid"])


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100)
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ,
                              required=False)
    expires_in_days = forms.IntegerField(min_value=1, max_value=365, initial=90,
                                         required=False, label="Expires after (days)")
