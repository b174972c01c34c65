"""Forms for support tickets (parsing and field errors only; the rules live in services.tickets)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from modules.crm.models import Ticket, TicketCategory
from modules.crm.models.tickets import Priority
from modules.parties.models import Party
from tenants.roles import Role

User = get_user_model()
ASSIGNABLE_ROLES = [Role.OWNER, Role.ADMIN, Role.MANAGER, Role.MEMBER]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.email


def assignable_users(tenant):
    """Active members who can work on tickets (viewers cannot), by email."""
    # One filter() call: the three conditions hold for the same membership row.
    return User.objects.filter(memberships__tenant=tenant, memberships__is_active=True,
                               memberships__role__in=ASSIGNABLE_ROLES).order_by("email")


def assignee_field(tenant) -> MemberChoiceField:
    return MemberChoiceField(queryset=assignable_users(tenant), required=False, label=_("Assignee"),
                             empty_label=_("Unassigned"))


class TicketForm(forms.Form):
    party = forms.ModelChoiceField(queryset=Party.objects.filter(is_active=True), label=_("Customer"))
    contact = forms.ModelChoiceField(queryset=Party.objects.filter(is_active=True, kind=Party.Kind.PERSON),
                                     required=False, label=_("Contact person"))
    subject = forms.CharField(max_length=200, label=_("Subject"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, label=_("Description"))
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL, label=_("Priority"))
    category = forms.ModelChoiceField(queryset=TicketCategory.objects.all(), required=False, label=_("Category"))

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = assignee_field(tenant)


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("Message"))
    internal = forms.BooleanField(required=False, label=_("Internal note (the customer does not see it)"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Ticket.Status.choices)


class AssignForm(forms.Form):
    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = assignee_field(tenant)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices, label=_("Priority"))
