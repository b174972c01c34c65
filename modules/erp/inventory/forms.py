"""Inventory forms: input parsing only; the services check the rules (stock available, feature and limits, lots)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.erp.catalog.models import Product
from modules.erp.inventory.models import Location, Picking, StockMove, Warehouse

QUANTITY = {"max_digits": 16, "decimal_places": 3}
COST = {"max_digits": 18, "decimal_places": 4}


def stocked_products():
    """Only goods are stocked (services and consumables never move through a warehouse)."""
    return Product.objects.filter(is_active=True, kind=Product.Kind.GOODS).select_related("base_unit")


def active_locations():
    return Location.objects.filter(is_active=True, warehouse__is_active=True).select_related("warehouse")


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.warehouse.code}/{obj.code} · {obj.name}"


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.sku} · {obj.name} ({obj.base_unit.name})"


class OpeningStockForm(forms.Form):
    product = ProductChoiceField(label=_("Product"), queryset=Product.objects.none())
    location = LocationChoiceField(label=_("Location"), queryset=Location.objects.none())
    quantity = forms.DecimalField(label=_("Quantity (base unit)"), min_value=Decimal("0.001"), **QUANTITY)
    unit_cost = forms.DecimalField(label=_("Unit cost"), min_value=Decimal(0), **COST)
    lot_code = forms.CharField(label=_("Lot / serial"), max_length=80, required=False,
                               help_text=_("Only for products tracked by lot or serial number."))

    def __init__(self, *args, lots: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = stocked_products()
        self.fields["location"].queryset = active_locations()
        if not lots:
            del self.fields["lot_code"]


class WarehouseForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=12, help_text=_("Short, e.g. HN or HCM."))
    name = forms.CharField(label=_("Name"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)


class LocationForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("A shelf or zone, e.g. A-01."))
    name = forms.CharField(label=_("Name"), max_length=120)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True)


class TransferForm(forms.Form):
    location_src = LocationChoiceField(label=_("From location"), queryset=Location.objects.none())
    location_dest = LocationChoiceField(label=_("To location"), queryset=Location.objects.none())
    scheduled_date = forms.DateField(label=_("Scheduled date"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location_src"].queryset = active_locations()
        self.fields["location_dest"].queryset = active_locations()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("location_src") and cleaned.get("location_src") == cleaned.get("location_dest"):
            self.add_error("location_dest", _("Choose a location other than the source."))
        return cleaned


class TransferLineForm(forms.Form):
    product = ProductChoiceField(label=_("Product"), queryset=Product.objects.none(), required=False)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=Decimal("0.001"), required=False, **QUANTITY)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = stocked_products()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("product") and cleaned.get("quantity") is None:
            self.add_error("quantity", _("Enter the quantity to move."))
        if cleaned.get("quantity") is not None and not cleaned.get("product"):
            self.add_error("product", _("Choose the product to move."))
        return cleaned


class BaseTransferLineFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        if not self.lines():
            raise forms.ValidationError(_("Add at least one product to move."))

    def lines(self) -> list[dict]:
        return [{"product": form.cleaned_data["product"], "quantity": form.cleaned_data["quantity"]}
                for form in self.forms if form.cleaned_data.get("product")]


TransferLineFormSet = forms.formset_factory(TransferLineForm, formset=BaseTransferLineFormSet, extra=5, max_num=50)


class PickingValidateForm(forms.Form):
    """One "done" quantity per line (prefilled with the demand), and a lot/serial code on tracked products."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"done-{line.pk}"] = forms.DecimalField(
                label=_("Done"), min_value=Decimal(0), max_value=line.quantity, initial=line.quantity,
                required=False, **QUANTITY)
            if line.product.tracking != Product.Tracking.NONE:
                self.fields[f"lot-{line.pk}"] = forms.CharField(
                    label=_("Lot / serial"), max_length=80, required=False, initial=line.lot_code)
            line.done_field = self[f"done-{line.pk}"]
            line.lot_field = self[f"lot-{line.pk}"] if f"lot-{line.pk}" in self.fields else None

    def clean(self):
        cleaned = super().clean()
        if self.lines and not any(self.done().values()):
            raise forms.ValidationError(_("Enter the quantity done on at least one line."))
        return cleaned

    def done(self) -> dict[int, Decimal]:
        """Line id → quantity done; an empty field counts as nothing done."""
        return {line.pk: self.cleaned_data.get(f"done-{line.pk}") or Decimal(0) for line in self.lines}

    def lot_codes(self) -> dict[int, str]:
        return {line.pk: self.cleaned_data[f"lot-{line.pk}"].strip() for line in self.lines
                if self.cleaned_data.get(f"lot-{line.pk}", "").strip()}


class CountStartForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    location = LocationChoiceField(label=_("Only this location"), queryset=Location.objects.none(), required=False,
                                   help_text=_("Empty: count the whole warehouse."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True)
        self.fields["location"].queryset = active_locations()

    def clean(self):
        cleaned = super().clean()
        location, warehouse = cleaned.get("location"), cleaned.get("warehouse")
        if location and warehouse and location.warehouse_id != warehouse.pk:
            self.add_error("location", _("This location is in another warehouse."))
        return cleaned


class CountLinesForm(forms.Form):
    """The counted quantity of every line of a count; an empty field means "not counted yet"."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"counted-{line.pk}"] = forms.DecimalField(
                label=_("Counted"), min_value=Decimal(0), required=False, initial=line.counted, **QUANTITY)
            line.counted_field = self[f"counted-{line.pk}"]

    def changed_lines(self) -> list[tuple[object, Decimal | None]]:
        return [(line, self.cleaned_data.get(f"counted-{line.pk}")) for line in self.lines
                if self.cleaned_data.get(f"counted-{line.pk}") != line.counted]


class ReorderRuleForm(forms.Form):
    product = ProductChoiceField(label=_("Product"), queryset=Product.objects.none())
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    min_quantity = forms.DecimalField(label=_("Minimum"), min_value=Decimal(0), **QUANTITY)
    max_quantity = forms.DecimalField(label=_("Maximum"), min_value=Decimal(0), **QUANTITY)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = stocked_products()
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_quantity"), cleaned.get("max_quantity")
        if low is not None and high is not None and high < low:
            self.add_error("max_quantity", _("The maximum cannot be below the minimum."))
        return cleaned


class MoveFilterForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(kind=Product.Kind.GOODS)
        self.fields["kind"].choices = [("", _("All")), *StockMove.Kind.choices]


class PickingFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    today = forms.BooleanField(label=_("To do today"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *Picking.Kind.choices]
        self.fields["state"].choices = [("", _("All")), *Picking.State.choices]
