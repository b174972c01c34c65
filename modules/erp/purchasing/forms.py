"""Purchasing forms: input parsing only; the services check suppliers, prices, dates and states."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.erp.catalog.forms import vat_choices
from modules.erp.catalog.models import CURRENCIES, Product, Unit
from modules.erp.inventory.models import Warehouse
from modules.erp.purchasing import selectors
from modules.parties.models import Party


class _ProductChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.sku} · {obj.name}"


class PurchaseOrderForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Party.objects.none(),
                                      empty_label=_("Choose a supplier"))
    warehouse = forms.ModelChoiceField(label=_("Receive into"), queryset=Warehouse.objects.none(),
                                       empty_label=None)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="VND")
    exchange_rate = forms.DecimalField(label=_("Exchange rate (VND)"), max_digits=14, decimal_places=4, initial=1,
                                       help_text=_("VND for one unit of the currency; 1 for VND."))
    order_date = forms.DateField(label=_("Order date"))
    expected_date = forms.DateField(label=_("Expected arrival"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = selectors.suppliers().only("pk", "name")
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True)
        for name in ("order_date", "expected_date"):
            self.fields[name].widget.input_type = "date"


class PurchaseLineForm(forms.Form):
    """One line; a row with neither a product nor a description is skipped. An empty price is the supplier's.

    Products and units are plain choices read once for the whole formset (a model field would query per row);
    the formset turns the chosen ids into objects in one query each."""

    product = forms.TypedChoiceField(label=_("Product"), coerce=int, empty_value=None, required=False)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=16, decimal_places=3, required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, empty_value=None, required=False)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=16, decimal_places=2, required=False)
    discount_percent = forms.DecimalField(label=_("Discount %"), max_digits=5, decimal_places=2, required=False)
    vat_code = forms.ChoiceField(label=_("VAT"), required=False)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = choices["products"]
        self.fields["unit"].choices = choices["units"]
        self.fields["vat_code"].choices = choices["vats"]
        self.fields["product"].widget.attrs["data-line-product"] = ""
        self.fields["unit_price"].widget.attrs.update({"data-line-price": "", "placeholder": _("Supplier's price")})
        self.fields["quantity"].widget.attrs["data-line-quantity"] = ""

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("product") or (cleaned.get("description") or "").strip()) and cleaned.get("quantity") is None:
            self.add_error("quantity", _("Enter a quantity."))
        return cleaned

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not (data.get("product") or (data.get("description") or "").strip())


def line_choices() -> dict:
    products = (Product.objects.filter(is_active=True).exclude(kind=Product.Kind.SERVICE).order_by("name")
                .values_list("pk", "sku", "name"))
    return {
        "products": [("", "—"), *((pk, f"{sku} · {name}") for pk, sku, name in products)],
        "units": [("", _("Base unit")), *Unit.objects.values_list("pk", "name")],
        "vats": [("", _("Product's VAT")), *vat_choices()],
    }


class _LineFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._choices = line_choices()

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "choices": self._choices}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, renderer=self.renderer, choices=self._choices)
        self.add_fields(form, None)
        return form

    def line_specs(self) -> list[dict]:
        """The filled rows as service line dicts, with their products and units read in one query each."""
        rows = [form.cleaned_data for form in self.forms if not form.is_blank()]
        products = Product.objects.select_related("base_unit").in_bulk({row["product"] for row in rows
                                                                        if row.get("product")})
        units = Unit.objects.in_bulk({row["unit"] for row in rows if row.get("unit")})
        return [{"product": products.get(row.get("product")), "description": row.get("description") or "",
                 "quantity": row.get("quantity"), "unit": units.get(row.get("unit")),
                 "unit_price": row.get("unit_price"), "discount_percent": row.get("discount_percent") or 0,
                 "vat_code": row.get("vat_code") or None} for row in rows]


PurchaseLineFormSet = forms.formset_factory(PurchaseLineForm, formset=_LineFormSet, extra=3)


class SupplierPriceForm(forms.Form):
    product = _ProductChoice(label=_("Product"), queryset=Product.objects.none())
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Party.objects.none())
    price = forms.DecimalField(label=_("Price per base unit"), max_digits=16, decimal_places=2, min_value=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="VND")
    min_quantity = forms.DecimalField(label=_("From quantity (base unit)"), max_digits=14, decimal_places=3,
                                      initial=1)
    lead_days = forms.IntegerField(label=_("Lead time (days)"), min_value=0, initial=0, required=False)
    supplier_sku = forms.CharField(label=_("Supplier's code"), max_length=60, required=False)
    position = forms.IntegerField(label=_("Preference"), min_value=0, required=False,
                                  help_text=_("0 is the preferred supplier of the product; empty: after the others."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = (Product.objects.filter(is_active=True, kind=Product.Kind.GOODS)
                                           .only("pk", "sku", "name").order_by("name"))
        self.fields["supplier"].queryset = selectors.suppliers().only("pk", "name")
