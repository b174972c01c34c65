"""Invoice forms: input parsing only; the services check parties, quantities against orders, VAT on the date."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.erp.catalog.forms import vat_choices
from modules.erp.catalog.models import CURRENCIES, Product, Unit
from modules.parties.models import Party

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BASIS_CHOICES = [("delivered", _("What was delivered")), ("ordered", _("What was ordered"))]


class InvoiceForm(forms.Form):
    """The header of a customer invoice or a supplier bill written by hand (``supplier`` picks the parties)."""

    party = forms.ModelChoiceField(label=_("Customer"), queryset=Party.objects.none(),
                                   empty_label=_("Choose a company or person"))
    date = forms.DateField(label=_("Invoice date"), widget=DATE)
    due_date = forms.DateField(label=_("Due date"), widget=DATE, required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="VND")
    exchange_rate = forms.DecimalField(label=_("Exchange rate (VND)"), max_digits=14, decimal_places=4, initial=1,
                                       min_value=Decimal("0.0001"),
                                       help_text=_("VND for one unit of the currency; 1 for VND."))
    supplier_reference = forms.CharField(label=_("Supplier's invoice number"), max_length=60, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, supplier: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        parties = Party.objects.filter(is_active=True, merged_into=None)
        if supplier:
            parties = parties.filter(is_supplier=True)
            self.fields["party"].label = _("Supplier")
        else:
            del self.fields["supplier_reference"]
        self.fields["party"].queryset = parties.only("pk", "name").order_by("name")

    def header(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("currency") == "VND" or data.get("exchange_rate") is None:
            data["exchange_rate"] = Decimal(1) if data.get("currency") == "VND" else data.get("exchange_rate")
        return data


class InvoiceLineForm(forms.Form):
    """One line; a row with neither a product nor a description is skipped. An empty price is the customer's
    list price (nothing on a bill). The hidden order line keeps a line tied to its sales or purchase order."""

    product = forms.TypedChoiceField(label=_("Product"), coerce=int, empty_value=None, required=False)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=16, decimal_places=3, required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, empty_value=None, required=False)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=18, decimal_places=2, required=False)
    discount_percent = forms.DecimalField(label=_("Discount %"), max_digits=5, decimal_places=2, required=False)
    vat_code = forms.ChoiceField(label=_("VAT"), required=False)
    account = forms.CharField(label=_("Account"), max_length=20, required=False,
                              widget=forms.TextInput(attrs={"size": 6, "inputmode": "numeric"}))
    sales_line = forms.IntegerField(required=False, widget=forms.HiddenInput)
    purchase_line = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = choices["products"]
        self.fields["unit"].choices = choices["units"]
        self.fields["vat_code"].choices = choices["vats"]

    def clean(self):
        cleaned = super().clean()
        if not self.is_blank() and cleaned.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter a quantity."))
        return cleaned

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not (data.get("product") or (data.get("description") or "").strip())


def line_choices() -> dict:
    products = Product.objects.filter(is_active=True).order_by("name").values_list("pk", "sku", "name")
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

    def filled_forms(self) -> list:
        return [form for form in self.forms if not form.is_blank()]

    def line_specs(self) -> list[dict]:
        """The filled rows as service line dicts; products, units and order lines read in one query each."""
        from modules.erp.purchasing.models import PurchaseOrderLine
        from modules.erp.sales.models import SalesOrderLine

        rows = [form.cleaned_data for form in self.filled_forms()]
        products = Product.objects.select_related("base_unit").in_bulk({row["product"] for row in rows
                                                                        if row.get("product")})
        units = Unit.objects.in_bulk({row["unit"] for row in rows if row.get("unit")})
        sales_lines = SalesOrderLine.objects.in_bulk({row["sales_line"] for row in rows if row.get("sales_line")})
        purchase_lines = PurchaseOrderLine.objects.in_bulk({row["purchase_line"] for row in rows
                                                            if row.get("purchase_line")})
        return [{"product": products.get(row.get("product")), "description": row.get("description") or "",
                 "quantity": row.get("quantity"), "unit": units.get(row.get("unit")),
                 "unit_price": row.get("unit_price"), "discount_percent": row.get("discount_percent") or 0,
                 "vat_code": row.get("vat_code") or None, "account": (row.get("account") or "").strip() or None,
                 "sales_line": sales_lines.get(row.get("sales_line")),
                 "purchase_line": purchase_lines.get(row.get("purchase_line"))} for row in rows]


InvoiceLineFormSet = forms.formset_factory(InvoiceLineForm, formset=_LineFormSet, extra=4)


def line_initial(line) -> dict:
    return {"product": line.product_id, "description": "" if line.product_id and line.description ==
            line.product.name else line.description, "quantity": line.quantity,
            "unit": line.unit_id if line.product_id and line.unit_id != line.product.base_unit_id else None,
            "unit_price": line.unit_price, "discount_percent": line.discount_percent, "vat_code": line.vat_code,
            "account": line.account.code if line.account_id else "", "sales_line": line.sales_line_id,
            "purchase_line": line.purchase_line_id}


class CreditNoteForm(forms.Form):
    """Why, when, and per line of the invoice how much is credited (``qty-<line id>``, in that line's unit)."""

    reason = forms.CharField(label=_("Reason"), max_length=500,
                             widget=forms.TextInput(attrs={"placeholder": _("Goods returned, price reduced...")}))
    date = forms.DateField(label=_("Date"), widget=DATE)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for line in lines:
            name = f"qty-{line.pk}"
            self.fields[name] = forms.DecimalField(label=line.description, max_digits=16, decimal_places=3,
                                                   required=False, min_value=0, initial=line.quantity)
            self.line_fields.append((line, name))

    def bound_lines(self):
        return [(line, self[name]) for line, name in self.line_fields]

    def line_specs(self) -> list[dict]:
        return [{"line": line, "quantity": self.cleaned_data[name]} for line, name in self.line_fields
                if self.cleaned_data.get(name)]


class FromOrderForm(forms.Form):
    basis = forms.ChoiceField(label=_("Invoice by"), choices=BASIS_CHOICES, initial="delivered")
