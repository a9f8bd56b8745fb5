from __future__ import annotations

from django import forms
from django.conf import settings

from webapp.repository.models import ArticleType
from webapp.repository.validation import single_line_problem


class ArticleForm(forms.Form):
    is_collection = forms.BooleanField(
        required=False, label="A standalone collection (no article), e.g. a QOF release")
    title = forms.CharField(max_length=500)
    authors = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              help_text="One author per line.")
    journal = forms.CharField(max_length=300, required=False)
    year = forms.IntegerField(min_value=1900, max_value=2100, required=False)
    doi = forms.CharField(max_length=200, required=False, label="DOI")
    pmid = forms.RegexField(regex=r"^\d{1,12}$", max_length=20, required=False, label="PMID")
    abstract = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    article_type = forms.ChoiceField(choices=ArticleType.choices, label="Type")
    link = forms.URLField(max_length=500, required=False, assume_scheme="https")
    licence = forms.CharField(max_length=100, initial="CC-BY-4.0")
    embargo_until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Until this date only the depositors see the article.")
    tags = forms.CharField(max_length=500, required=False,
                           help_text="Comma-separated, e.g. asthma, respiratory.")

    def clean_doi(self):
        doi = self.cleaned_data["doi"].strip()
        for prefix in ("https://doi.org/", "http://doi.org/", "doi:"):
            doi = doi.removeprefix(prefix)
        if doi and not doi.startswith("10."):
            raise forms.ValidationError("A DOI starts with 10., e.g. 10.1371/journal.pone.0000001.")
        return doi

    def clean(self):
        data = super().clean()
        for field, value in list(data.items()):
            problem = single_line_problem(field, value)
            if problem:
                self.add_error(field, problem)
        return data

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(
            attrs={"accept": ",".join(settings.CODELISTS_UPLOAD_EXTENSIONS)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files:
            raise forms.ValidationError("Choose at least one file.")
        if len(files) > settings.CODELISTS_UPLOAD_MAX_FILES:
            raise forms.ValidationError(
                f"At most {settings.CODELISTS_UPLOAD_MAX_FILES} files at once.")
        for f in files:
            check_upload(f)
        return files


def check_upload(f) -> None:
    name = f.name or ""
    if not name.lower().endswith(settings.CODELISTS_UPLOAD_EXTENSIONS):
        allowed = ", ".join(settings.CODELISTS_UPLOAD_EXTENSIONS)
        raise forms.ValidationError(f"{name}: only {allowed} files can be deposited.")
    if f.size > settings.CODELISTS_UPLOAD_MAX_BYTES:
        limit = settings.CODELISTS_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise forms.ValidationError(f"{name}: larger than the {limit} MB limit.")


class UploadForm(forms.Form):
    files = MultipleFileField(help_text=".codelist files; CSV/TSV/.xlsx tables with a code "
                                        "column; FHIR ValueSet or ATLAS concept set JSON.")


class MappingForm(forms.Form):
    code_column = forms.ChoiceField()
    term_column = forms.ChoiceField(required=False)
    coding_system = forms.ChoiceField()
    title = forms.CharField(max_length=500)

    def __init__(self, *args, columns: list[str], systems: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code_column"].choices = [(c, c) for c in columns]
        self.fields["term_column"].choices = [("", "(none)")] + [(c, c) for c in columns]
        self.fields["coding_system"].choices = [("", "(choose)")] + [(s, s) for s in systems]


class DescribeForm(forms.Form):
    """What the public codelist page shows about a list, asked for at deposit when the
    file leaves it empty or as a placeholder."""

    description = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(
        attrs={"rows": 2}), help_text="what the list identifies")
    appropriate_use = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(
        attrs={"rows": 2}), help_text="the studies, settings and data it was built for")
    misuse = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(
        attrs={"rows": 2}), help_text="uses it is not fit for")

    def __init__(self, *args, asked=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if asked and name not in asked:
                del self.fields[name]


class CoauthorForm(forms.Form):
    username = forms.CharField(max_length=150)
