"""Payment forms: input parsing only; the payment services check parties, invoices, currencies and amounts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.erp.catalog.models import CURRENCIES
from modules.erp.invoicing import selectors_payments as selectors
from modules.erp.invoicing.models import Payment
from modules.parties.models import Party


class PaymentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Direction"), choices=Payment.Kind.choices)
    party = forms.ModelChoiceField(label=_("Customer or supplier"), queryset=Party.objects.none(),
                                   empty_label=_("Choose a customer or supplier"))
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices, initial=Payment.Method.BANK)
    date = forms.DateField(label=_("Payment date"))
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2, min_value=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="VND")
    exchange_rate = forms.DecimalField(label=_("Exchange rate (VND)"), max_digits=14, decimal_places=4, initial=1,
                                       help_text=_("VND for one unit of the currency on the payment date; 1 for VND."))
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False,
                                help_text=_("Bank transaction number or receipt book reference."))
    auto_allocate = forms.BooleanField(label=_("Settle the oldest open invoices with it"), required=False,
                                       initial=True)
    invoice = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = selectors.parties().only("pk", "name")
        self.fields["date"].widget.input_type = "date"
