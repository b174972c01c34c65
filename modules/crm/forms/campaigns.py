from django import forms
from django.utils.translation import gettext_lazy as _

from modules.crm.models import Campaign


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "channel", "utm_campaign", "budget", "currency", "starts_on", "ends_on"]
        labels = {"channel": _("Channel"), "budget": _("Budget"), "currency": _("Currency"),
                  "starts_on": _("Starts on"), "ends_on": _("Ends on")}
        help_texts = {"utm_campaign": _("The utm_campaign value in your links, e.g. tet-2026. Unique.")}
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}


class CampaignCostForm(forms.Form):
    spent_on = forms.DateField(label=_("Spent on"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2,
                                help_text=_("A negative amount corrects an earlier entry."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
