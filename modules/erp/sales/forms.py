"""Quotation forms: the header and a formset of lines (prefix ``lines``). Input parsing only: the services
check the rules (units of the product, VAT valid on the date, prices, at least one line)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.erp.catalog.models import CURRENCIES, Product, Unit
from modules.erp.inventory.models import Warehouse
from modules.parties.models import Party

LINES_PREFIX = "lines"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuotationForm(forms.Form):
    party = forms.ModelChoiceField(label=_("Customer"), queryset=Party.objects.none(), widget=forms.HiddenInput,
                                   error_messages={"required": _("Choose a customer."),
                                                   "invalid_choice": _("Choose a customer from the list.")})
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="VND")
    exchange_rate = forms.DecimalField(label=_("Exchange rate"), max_digits=14, decimal_places=4, required=False,
                                      min_value=Decimal("0.0001"),
                                      help_text=_("VND for one unit of the currency; only for USD."))
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none(), required=False,
                                       empty_label=None)
    order_date = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    validity_date = forms.DateField(label=_("Valid until"), widget=DATE, required=False)
    commitment_date = forms.DateField(label=_("Delivery date"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = Party.objects.filter(is_active=True, merged_into=None)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True)

    def header(self) -> dict:
        """The service's keyword arguments for the header."""
        data = dict(self.cleaned_data)
        for name in ("warehouse", "exchange_rate"):
            if data.get(name) is None:
                data.pop(name, None)
        if data.get("currency") == "VND":
            data["exchange_rate"] = Decimal(1)
        return data


class LineForm(forms.Form):
    """One line. A row with neither product nor description is blank and ignored. ``price_auto`` marks a price
    taken from the price list: it follows the quantity until someone types another one."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.filter(is_active=True),
                                     required=False, widget=forms.HiddenInput(attrs={"data-refresh": "1"}))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all(), required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=16, decimal_places=3, required=False,
                                  min_value=Decimal("0.001"))
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=18, decimal_places=2, required=False,
                                    min_value=0)
    price_auto = forms.BooleanField(required=False, widget=forms.HiddenInput)
    discount_percent = forms.DecimalField(label=_("Discount %"), max_digits=5, decimal_places=2, required=False,
                                          min_value=0, max_value=100)
    vat_code = forms.ChoiceField(label=_("VAT"), required=False)

    def __init__(self, *args, vat_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vat_code"].choices = [("", _("Product's")), *vat_choices]

    def clean(self):
        data = super().clean()
        data["blank"] = not data.get("product") and not (data.get("description") or "").strip()
        if data["blank"] or data.get("DELETE"):
            return data
        if data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter a quantity."))
        return data

    def spec(self) -> dict:
        """The service's line dict: an automatic price is left to the price list (``None``)."""
        data = self.cleaned_data
        return {
            "product": data.get("product"),
            "description": (data.get("description") or "").strip(),
            "quantity": data["quantity"],
            "unit": data.get("unit"),
            "unit_price": None if data.get("price_auto") else data.get("unit_price"),
            "discount_percent": data.get("discount_percent") or Decimal(0),
            "vat_code": data.get("vat_code") or None,
        }


LineFormSet = forms.formset_factory(LineForm, extra=0, can_delete=True)


def line_formset(data=None, *, initial=None, vat_choices=()) -> forms.BaseFormSet:
    return LineFormSet(data, initial=initial, prefix=LINES_PREFIX, form_kwargs={"vat_choices": vat_choices})


def line_initial(line) -> dict:
    """A saved order line as the form's initial row."""
    return {"product": line.product_id, "description": line.description if not line.product_id
            or line.description != line.product.name else "", "unit": line.unit_id, "quantity": line.quantity,
            "unit_price": line.unit_price, "price_auto": False, "discount_percent": line.discount_percent,
            "vat_code": line.vat_code}
