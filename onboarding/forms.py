"""The public signup form. The service re-checks the address and the email under its locks."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.utils.translation import gettext_lazy as _

from billing.models import Plan
from onboarding.signup import address_normalize
from tenants.slugs import SLUG_MAX, slug_validate


class SignupForm(forms.Form):
    company = forms.CharField(label=_("Company name"), max_length=200)
    slug = forms.CharField(
        label=_("Workspace address"),
        max_length=SLUG_MAX,
        help_text=_("Lower-case letters, digits and hyphens; it starts your workspace's web address."),
    )
    email = forms.EmailField(label=_("Your work email"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    plan = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = password_validators_help_text_html()
        self.fields["company"].widget.attrs.update({"autocomplete": "organization", "autofocus": True})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["slug"].widget.attrs.update({"autocapitalize": "none", "spellcheck": "false"})

    def clean_slug(self) -> str:
        # Format and reserved words here; whether it is taken is answered by the service under its lock
        # (a repeated submission of the same signup must find its own address "taken" and succeed).
        slug = address_normalize(self.cleaned_data["slug"])
        slug_validate(slug)
        return slug

    def clean_email(self) -> str:
        return get_user_model().objects.normalize_email(self.cleaned_data["email"]).lower()

    def clean_plan(self) -> str:
        """A plan code from the pricing page; anything else means "start on the free plan"."""
        code = (self.cleaned_data.get("plan") or "").strip()
        return code if code and Plan.objects.filter(code=code, is_active=True).exists() else ""

    def clean(self):
        cleaned = super().clean()
        password, email = cleaned.get("password"), cleaned.get("email")
        if password:
            user = get_user_model()(email=email or "", username=email or "")
            try:
                validate_password(password, user=user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned
