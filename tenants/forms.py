from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.roles import Role, roles_grantable_by
from tenants.slugs import slug_is_taken, slug_validate


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, actor_role: str, **kwargs):
        super().__init__(*args, **kwargs)
        grantable = roles_grantable_by(actor_role)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in grantable]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class WorkspaceCreateForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    slug = forms.CharField(
        label=_("Workspace address"),
        max_length=32,
        help_text=_("Lower-case letters, digits and hyphens; it starts your workspace's web address."),
    )

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip().lower()
        slug_validate(slug)
        if slug_is_taken(slug):
            raise forms.ValidationError(_("This address is already taken."), code="slug_taken")
        return slug


DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class TenantFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    plan = forms.ChoiceField(label=_("Plan"), required=False)
    created_from = forms.DateField(label=_("Created from"), required=False, widget=DATE_INPUT)
    created_to = forms.DateField(label=_("Created to"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        from tenants.models import Tenant

        super().__init__(*args, **kwargs)
        from billing.models import Plan

        self.fields["status"].choices = [("", _("All"))] + [
            choice for choice in Tenant.Status.choices if choice[0] != Tenant.Status.POOLED
        ]
        self.fields["plan"].choices = [("", _("All"))] + [(plan.code, plan.name) for plan in Plan.objects.all()]


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class InvitationSignupForm(forms.Form):
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password (again)"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.password_validation import validate_password

        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(first, user=get_user_model()(email=self.email, username=self.email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
