from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Period, Plan


class ChangePlanForm(forms.Form):
    ACTIONS = [("trial", _("Start the free trial")), ("bank", _("Pay by bank transfer")), ("card", _("Pay by card")),
               ("switch", _("Switch now"))]
    action = forms.ChoiceField(choices=ACTIONS)
    period = forms.ChoiceField(choices=Period.choices, initial=Period.MONTH)
    keep = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label=_("Keep active"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(str(m.pk), m.user.email) for m in members]


class PlanEditForm(forms.ModelForm):
    features = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label=_("Features"))

    class Meta:
        model = Plan
        fields = ["name_vi", "name_en", "price_vnd_month", "price_vnd_year", "price_usd_month", "price_usd_year",
                  "stripe_price_month", "stripe_price_year", "trial_days", "is_active"]

    def __init__(self, *args, **kwargs):
        from billing.catalogue import FEATURES, LIMIT_KEYS

        super().__init__(*args, **kwargs)
        self.fields["features"].choices = [(key, f"{key} — {feature.label_en}") for key, feature in FEATURES.items()]
        self.initial["features"] = list(self.instance.features)
        for key in LIMIT_KEYS:
            self.fields[f"limit_{key}"] = forms.IntegerField(
                label=_("Limit: %(key)s") % {"key": key}, required=False, min_value=0,
                help_text=_("Empty for unlimited."), initial=self.instance.limits.get(key))


class ResolveTransferForm(forms.Form):
    reference = forms.CharField(label=_("Payment order reference"), required=False, max_length=25)
    note = forms.CharField(label=_("Note"), max_length=300)
