from django import forms
from django.utils.translation import gettext_lazy as _


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class SalesTeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=120)
    manager = forms.TypedChoiceField(label=_("Manager"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, members: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].choices = [("", _("No manager")), *members]


class TeamMemberForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Person"), coerce=int)

    def __init__(self, *args, members: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = members


class QuotaForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Member"), coerce=int)
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"], widget=MonthInput())
    amount = forms.DecimalField(label=_("Quota (won revenue)"), max_digits=16, decimal_places=0, min_value=0)

    def __init__(self, *args, members: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = members
