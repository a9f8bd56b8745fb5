"""Forms of the Delphi review: starting a review (panel, rule, instructions), uploads."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from codelists.method.delphi import DEFAULT_RULE
from webapp.accounts.verification import users_with_verified_email
from webapp.review import method
from webapp.review.actions import Invitee

PANEL_HELP = ("One reviewer per line: a username or an e-mail address (unknown addresses "
              "are invited by e-mail), optionally followed by 'as LABEL', the name the "
              "reviewer has in the sheets and the published method block "
              "(default R1, R2, ...). Example: 'alice as GP1'.")
LINE = re.compile(r"^\s*(?P<who>\S+)(?:\s+as\s+(?P<label>[A-Za-z0-9_.-]{1,40}))?\s*$")


def parse_panel(text: str) -> list[Invitee]:
    """The panel from the form's text: registered users, or e-mail invitations."""
    panel, errors = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = LINE.match(raw)
        if match is None:
            errors.append(f"line {number}: write 'username' or 'e-mail', optionally "
                          "'as LABEL' (letters, digits, . _ -)")
            continue
        who, label = match["who"], match["label"] or ""
        user = User.objects.filter(username=who, is_active=True).first()
        if user is None and "@" in who:
            # only an account that proved it reads this address; otherwise the address
            # gets an invitation link (an unverified profile may claim anyone's address)
            user = users_with_verified_email(who).first()
            if user is None:
                try:
                    validate_email(who)
                except ValidationError:
                    errors.append(f"line {number}: {who!r} is not an e-mail address")
                    continue
                panel.append(Invitee(email=who, label=label))
                continue
        if user is None:
            errors.append(f"line {number}: no user {who!r} (write an e-mail address to "
                          "invite someone who has no account)")
            continue
        panel.append(Invitee(user=user, label=label))
    if errors:
        raise ValidationError(errors)
    if not panel:
        raise ValidationError("add at least one reviewer")
    return panel


class StartReviewForm(forms.Form):
    panel = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), help_text=PANEL_HELP)
    rule = forms.ChoiceField(choices=method.rule_choices, initial=DEFAULT_RULE,
                             label="Consensus rule")
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text="Shown to every reviewer above their sheet (and on exported sheets).")
    codes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Review only these codes (space or comma separated); "
                  "leave empty to review every pending code.")

    def clean_panel(self):
        return parse_panel(self.cleaned_data["panel"])

    def clean_codes(self):
        return [c for c in re.split(r"[\s,;]+", self.cleaned_data["codes"]) if c] or None


class UploadSheetsForm(forms.Form):
    replace = forms.BooleanField(
        required=False, label="Replace ratings already saved for these reviewers")

    def files_from(self, request) -> list[tuple[str, bytes]]:
        limit = settings.CODELISTS_UPLOAD_MAX_BYTES
        uploads = request.FILES.getlist("sheets")
        if len(uploads) > settings.CODELISTS_UPLOAD_MAX_FILES:
            raise ValidationError(f"at most {settings.CODELISTS_UPLOAD_MAX_FILES} sheets at once")
        out = []
        for upload in uploads:
            if not upload.name.lower().endswith((".xlsx", ".csv")):
                raise ValidationError(f"{upload.name}: review sheets are .xlsx or .csv files")
            if upload.size > limit:
                raise ValidationError(f"{upload.name} is larger than {limit} bytes")
            out.append((upload.name, upload.read()))
        return out
