"""Input forms for parties. They parse what was typed and report every field's problem at once; the services
validate and normalise again (tax code, phone, email), so imports and other callers get the same rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from modules.crm.errors import CrmError
from modules.parties.models import Address, Party
from modules.parties.provinces import PROVINCES
from modules.parties.validation import email_normalise, phone_normalise, tax_code_normalise


def _normalised(normalise, value: str) -> str:
    """Run a validation.py normaliser so every field's problem shows at once (the service checks again)."""
    try:
        return normalise(value)
    except CrmError as error:
        raise forms.ValidationError(error.message, code=error.code) from error


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Party.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=255)
    is_customer = forms.BooleanField(label=_("Customer"), required=False)
    is_supplier = forms.BooleanField(label=_("Supplier"), required=False)
    is_prospect = forms.BooleanField(label=_("Prospect"), required=False)
    tax_code = forms.CharField(label=_("Tax code"), max_length=30, required=False,
                               help_text=_("10 digits, or 13 for a branch: 0123456789-001"))
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False, help_text=_("For example 0912 345 678"))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    organization = forms.ModelChoiceField(label=_("Company"), queryset=Party.objects.none(), required=False,
                                          help_text=_("For a person: the company they work for"))
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    tags = forms.CharField(label=_("Tags"), max_length=500, required=False, help_text=_("Separated by commas"))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=get_user_model().objects.none(), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, organizations, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.email

    def clean_tax_code(self) -> str:
        return _normalised(tax_code_normalise, self.cleaned_data["tax_code"])

    def clean_phone(self) -> str:
        return _normalised(phone_normalise, self.cleaned_data["phone"])

    def clean_email(self) -> str:
        return _normalised(email_normalise, self.cleaned_data["email"])

    @classmethod
    def initial_from(cls, party: Party) -> dict:
        initial = {name: getattr(party, name) for name in cls.base_fields if name not in ("tags", "organization",
                                                                                          "owner")}
        return {**initial, "tags": ", ".join(party.tags), "organization": party.organization_id,
                "owner": party.owner_id}


class AddressForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Address.Kind.choices)
    street = forms.CharField(label=_("Street"), max_length=255)
    ward = forms.CharField(label=_("Ward / commune"), max_length=120, required=False)
    province = forms.ChoiceField(label=_("Province / city"), choices=[("", "—"), *PROVINCES], required=False)
    is_primary = forms.BooleanField(label=_("Primary address"), required=False)
