from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from billing.models import Plan
from onboarding import rules
from onboarding.models import BusinessType, GrowthStage


def _label(rule: dict) -> str:
    return rule["vi"] if (get_language() or "vi").startswith("vi") else rule["en"]


class QuestionnaireForm(forms.Form):
    business_type = forms.ChoiceField(label=_("What kind of business is it?"), choices=BusinessType.choices,
                                      widget=forms.RadioSelect)
    stage = forms.ChoiceField(label=_("Where is it in its growth?"), choices=GrowthStage.choices,
                              widget=forms.RadioSelect)
    headcount = forms.IntegerField(label=_("How many people will use the software?"), min_value=1, max_value=100_000,
                                   initial=3)
    branches = forms.IntegerField(label=_("How many branches?"), min_value=1, max_value=1000, initial=1)
    multinational = forms.BooleanField(label=_("We operate in several countries"), required=False)
    characteristics = forms.MultipleChoiceField(label=_("Which of these describe you?"), required=False,
                                                widget=forms.CheckboxSelectMultiple)
    pains = forms.MultipleChoiceField(label=_("Which of these do you feel today?"), required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["characteristics"].choices = [(row["id"], _label(row)) for row in rules.CHARACTERISTIC_RULES]
        self.fields["pains"].choices = [(pain["id"], _label(pain)) for pain in rules.PAIN_RULES]

    def clean_characteristics(self):
        # Only the rows of the chosen type's table count (the page shows just those).
        business_type = self.cleaned_data.get("business_type") or self.data.get("business_type")
        allowed = {row["id"] for row in rules.CHARACTERISTIC_RULES if row["type"] == business_type}
        return [value for value in self.cleaned_data["characteristics"] if value in allowed]

    def rows_by_type(self) -> dict[str, list[str]]:
        return {code: [row["id"] for row in rules.CHARACTERISTIC_RULES if row["type"] == code]
                for code, _name in BusinessType.choices}


class AcceptForm(forms.Form):
    tier = forms.ChoiceField(label=_("Plan"), widget=forms.RadioSelect)
    sample_data = forms.BooleanField(label=_("Add sample data to try things out (easy to remove later)"),
                                     required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [(plan.code, plan.name) for plan in Plan.objects.filter(is_active=True)]
