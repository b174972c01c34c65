"""Import forms: the upload (what the file holds, the file) and the column mapping (one choice per column)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.crm.import_fields import fields_of
from modules.crm.models import ImportJob


class ImportUploadForm(forms.Form):
    target = forms.ChoiceField(label=_("The file contains"), choices=[
        (value, label) for value, label in ImportJob.Target.choices if value in ImportJob.CRM_TARGETS])
    file = forms.FileField(label=_("CSV or Excel file (.csv, .xlsx, up to 20 MB)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))


class ImportMappingForm(forms.Form):
    """A select per file column, named ``column_<n>``; the suggested field preselected."""

    def __init__(self, *args, job: ImportJob, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = list(job.headers)
        choices = [("", _("Do not import"))] + [
            (spec.key, f"{spec.label} *" if spec.required else spec.label) for spec in fields_of(job.target).values()]
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=job.mapping.get(header, ""))

    def field_name(self, header: str) -> str:
        return f"column_{self.headers.index(header)}"

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data[self.field_name(header)] for header in self.headers}
