"""Catalog forms: input parsing only; the services validate the rules (unique SKU, VAT code, prices)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.erp.catalog.models import CURRENCIES, Product, ProductCategory, Unit, VatRate


def vat_choices() -> list[tuple[str, str]]:
    """One choice per code, named after its latest rate (the 8% cut and 10% are separate codes)."""
    names = {}
    for code, name in VatRate.objects.order_by("code", "valid_from").values_list("code", "name"):
        names[code] = name
    return sorted(names.items(), key=lambda item: item[0])


class ProductForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=Product.Kind.choices, initial=Product.Kind.GOODS)
    tracking = forms.ChoiceField(label=_("Traceability"), choices=Product.Tracking.choices,
                                 initial=Product.Tracking.NONE,
                                 help_text=_("Lots or serial numbers are entered on receipts and followed to the "
                                             "customer. Set it before the product's first stock move."))
    category = forms.ModelChoiceField(label=_("Category"), queryset=ProductCategory.objects.none(), required=False)
    base_unit = forms.ModelChoiceField(label=_("Base unit"), queryset=Unit.objects.none())
    vat_code = forms.ChoiceField(label=_("VAT"), initial="10")
    sale_price = forms.DecimalField(label=_("Sale price"), max_digits=16, decimal_places=2, initial=0)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="VND")
    barcode = forms.CharField(label=_("Barcode"), max_length=60, required=False)
    image = forms.FileField(label=_("Image"), required=False,
                            help_text=_("Optional. JPG, PNG or WebP."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, lots: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not lots:  # lot and serial traceability is an Enterprise feature
            del self.fields["tracking"]
        self.fields["category"].queryset = ProductCategory.objects.all()
        self.fields["base_unit"].queryset = Unit.objects.all()
        self.fields["vat_code"].choices = vat_choices()


class ProductUnitForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    factor = forms.DecimalField(label=_("Base units in one"), max_digits=14, decimal_places=4)
    barcode = forms.CharField(label=_("Barcode"), max_length=60, required=False)

    def __init__(self, *args, product: Product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.exclude(pk=product.base_unit_id)


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    parent = forms.ModelChoiceField(label=_("Inside"), queryset=ProductCategory.objects.none(), required=False)

    def __init__(self, *args, category: ProductCategory | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = ProductCategory.objects.all()
        if category is not None:
            parents = parents.exclude(pk=category.pk)
        self.fields["parent"].queryset = parents


class PriceListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="VND")
    customer_tag = forms.CharField(label=_("Customer group (tag)"), max_length=50, required=False,
                                   help_text=_("Customers with this tag get these prices; empty: everyone."))
    position = forms.IntegerField(label=_("Order"), min_value=0, initial=0)


class PriceListEditForm(PriceListForm):
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                   help_text=_("An inactive list gives no prices; its prices are kept."))


class PriceItemForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    min_quantity = forms.DecimalField(label=_("From quantity (base unit)"), max_digits=14, decimal_places=3,
                                      initial=1)
    price = forms.DecimalField(label=_("Price"), max_digits=16, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True).select_related("base_unit")
