"""Catalog pages: products (list with search, form, detail with units, prices and today's VAT), categories and
price lists with their quantity breaks."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.entitlements import entitlements_of_request
from modules.erp.catalog import selectors, services
from modules.erp.catalog.forms import (
    CategoryForm,
    PriceItemForm,
    PriceListEditForm,
    PriceListForm,
    ProductForm,
    ProductUnitForm,
)
from modules.erp.catalog.models import PriceList, PriceListItem, Product, ProductCategory, ProductUnit
from modules.erp.errors import ErpError
from modules.erp.views_common import erp_view
from tenants.access import membership_allows
from tenants.roles import Access

FEATURE = "erp.catalog"


def _can_edit(request) -> bool:
    return membership_allows(request.membership, "erp", Access.EDIT)


def _lots(request) -> bool:
    return entitlements_of_request(request).allows("erp.lots_serials")


def _form_error(form, error: ErpError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@erp_view(FEATURE)
def product_list(request):
    filters = {"q": request.GET.get("q", "").strip(), "category": request.GET.get("category", "")}
    products = selectors.product_list(q=filters["q"], category_id=filters["category"])
    page = Paginator(products, 50).get_page(request.GET.get("page"))
    return render(request, "erp/catalog/product_list.html", {
        "page": page, "filters": filters, "categories": ProductCategory.objects.all(), "can_edit": _can_edit(request),
        "query": urlencode({key: value for key, value in filters.items() if value})})


def _product_form_page(request, form, product=None):
    return render(request, "erp/catalog/product_form.html", {"form": form, "product": product},
                  status=400 if form.errors else 200)


@erp_view(FEATURE, Access.EDIT)
def product_create(request):
    form = ProductForm(request.POST or None, request.FILES or None, lots=_lots(request))
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(actor=request.user, **form.cleaned_data)
        except ErpError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Product %(sku)s created.") % {"sku": product.sku})
            return redirect("product_detail", pk=product.pk)
    return _product_form_page(request, form)


@erp_view(FEATURE, Access.EDIT)
def product_edit(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    initial = {name: getattr(product, name) for name in services.PRODUCT_FIELDS if name != "image"}
    form = ProductForm(request.POST or None, request.FILES or None, initial=initial, lots=_lots(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, actor=request.user, **form.cleaned_data)
        except ErpError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Product saved."))
            return redirect("product_detail", pk=product.pk)
    return _product_form_page(request, form, product)


def _detail(request, product: Product, *, unit_form=None, status: int = 200):
    today = timezone.localdate()
    return render(request, "erp/catalog/product_detail.html", {
        "product": product, "units": product.units.select_related("unit"), "prices": selectors.product_prices(product),
        "vat": selectors.vat_rate_or_none(product.vat_code, today), "today": today, "can_edit": _can_edit(request),
        "unit_form": unit_form or ProductUnitForm(product=product)}, status=status)


@erp_view(FEATURE)
def product_detail(request, pk: int):
    product = get_object_or_404(Product.objects.select_related("category", "base_unit"), pk=pk)
    return _detail(request, product)


@erp_view(FEATURE, Access.EDIT)
@require_POST
def product_unit_add(request, pk: int):
    product = get_object_or_404(Product.objects.select_related("category", "base_unit"), pk=pk)
    form = ProductUnitForm(request.POST, product=product)
    if form.is_valid():
        try:
            services.product_unit_add(product=product, actor=request.user, **form.cleaned_data)
        except ErpError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Unit added."))
            return redirect("product_detail", pk=product.pk)
    return _detail(request, product, unit_form=form, status=400)


@erp_view(FEATURE, Access.EDIT)
@require_POST
def product_archive(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    services.product_archive(product=product, actor=request.user)
    messages.success(request, _("Product archived: it no longer appears in the list."))
    return redirect("product_list")


@erp_view(FEATURE)
def category_list(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST":
        if not _can_edit(request):
            return render(request, "tenants/forbidden.html", {"module": "erp"}, status=403)
        if form.is_valid():
            try:
                services.category_create(actor=request.user, **form.cleaned_data)
            except ErpError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Category added."))
                return redirect("product_category_list")
    return render(request, "erp/catalog/categories.html", {
        "categories": selectors.category_list(), "form": form, "can_edit": _can_edit(request)},
        status=400 if form.errors else 200)


@erp_view(FEATURE)
def price_list_list(request):
    form = PriceListForm(request.POST or None)
    if request.method == "POST":
        if not _can_edit(request):
            return render(request, "tenants/forbidden.html", {"module": "erp"}, status=403)
        if form.is_valid():
            try:
                price_list = services.price_list_create(actor=request.user, **form.cleaned_data)
            except ErpError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Price list created."))
                return redirect("price_list_detail", pk=price_list.pk)
    return render(request, "erp/catalog/price_lists.html", {
        "price_lists": selectors.price_list_list(), "form": form, "can_edit": _can_edit(request)},
        status=400 if form.errors else 200)


@erp_view(FEATURE)
def price_list_detail(request, pk: int):
    price_list = get_object_or_404(PriceList, pk=pk)
    form = PriceItemForm(request.POST or None)
    if request.method == "POST":
        if not _can_edit(request):
            return render(request, "tenants/forbidden.html", {"module": "erp"}, status=403)
        if form.is_valid():
            try:
                services.price_list_item_set(price_list=price_list, actor=request.user, **form.cleaned_data)
            except ErpError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Price saved."))
                return redirect("price_list_detail", pk=price_list.pk)
    items = price_list.items.select_related("product", "product__base_unit").order_by("product__name", "min_quantity")
    return render(request, "erp/catalog/price_list_detail.html", {
        "price_list": price_list, "items": items, "form": form, "can_edit": _can_edit(request)},
        status=400 if form.errors else 200)


@erp_view(FEATURE, Access.EDIT)
@require_POST
def product_unit_remove(request, pk: int, unit_pk: int):
    product_unit = get_object_or_404(ProductUnit.objects.select_related("unit"), pk=unit_pk, product_id=pk)
    try:
        services.product_unit_remove(product_unit=product_unit, actor=request.user)
    except ErpError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Unit %(unit)s removed.") % {"unit": product_unit.unit.name})
    return redirect("product_detail", pk=pk)


@erp_view(FEATURE, Access.EDIT)
def category_edit(request, pk: int):
    category = get_object_or_404(ProductCategory, pk=pk)
    form = CategoryForm(request.POST or None, category=category,
                        initial={"name": category.name, "parent": category.parent_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(category=category, actor=request.user, **form.cleaned_data)
        except ErpError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Category saved."))
            return redirect("product_category_list")
    return render(request, "erp/catalog/category_form.html", {"form": form, "category": category},
                  status=400 if form.errors else 200)


@erp_view(FEATURE, Access.EDIT)
@require_POST
def category_delete(request, pk: int):
    category = get_object_or_404(ProductCategory, pk=pk)
    try:
        services.category_delete(category=category, actor=request.user)
    except ErpError as error:
        messages.error(request, error.message)
        return redirect("product_category_edit", pk=pk)
    messages.success(request, _("Category %(name)s deleted.") % {"name": category.name})
    return redirect("product_category_list")


@erp_view(FEATURE, Access.EDIT)
def price_list_edit(request, pk: int):
    price_list = get_object_or_404(PriceList, pk=pk)
    initial = {name: getattr(price_list, name) for name in ("name", "currency", "customer_tag", "position",
                                                            "is_active")}
    form = PriceListEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.price_list_update(price_list=price_list, actor=request.user, **form.cleaned_data)
        except ErpError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Price list saved."))
            return redirect("price_list_detail", pk=price_list.pk)
    return render(request, "erp/catalog/price_list_form.html", {
        "form": form, "price_list": price_list, "item_count": price_list.items.count()},
        status=400 if form.errors else 200)


@erp_view(FEATURE, Access.EDIT)
@require_POST
def price_list_delete(request, pk: int):
    price_list = get_object_or_404(PriceList, pk=pk)
    services.price_list_delete(price_list=price_list, actor=request.user)
    messages.success(request, _("Price list %(name)s deleted.") % {"name": price_list.name})
    return redirect("price_list_list")


@erp_view(FEATURE, Access.EDIT)
@require_POST
def price_list_item_remove(request, pk: int, item_pk: int):
    item = get_object_or_404(PriceListItem, pk=item_pk, price_list_id=pk)
    services.price_list_item_remove(item=item, actor=request.user)
    messages.success(request, _("Price removed."))
    return redirect("price_list_detail", pk=pk)


urlpatterns = [
    path("", product_list, name="product_list"),
    path("products/new/", product_create, name="product_create"),
    path("products/<int:pk>/", product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", product_edit, name="product_edit"),
    path("products/<int:pk>/units/", product_unit_add, name="product_unit_add"),
    path("products/<int:pk>/archive/", product_archive, name="product_archive"),
    path("products/<int:pk>/units/<int:unit_pk>/remove/", product_unit_remove, name="product_unit_remove"),
    path("categories/", category_list, name="product_category_list"),
    path("categories/<int:pk>/edit/", category_edit, name="product_category_edit"),
    path("categories/<int:pk>/delete/", category_delete, name="product_category_delete"),
    path("price-lists/", price_list_list, name="price_list_list"),
    path("price-lists/<int:pk>/", price_list_detail, name="price_list_detail"),
    path("price-lists/<int:pk>/edit/", price_list_edit, name="price_list_edit"),
    path("price-lists/<int:pk>/delete/", price_list_delete, name="price_list_delete"),
    path("price-lists/<int:pk>/items/<int:item_pk>/remove/", price_list_item_remove, name="price_list_item_remove"),
]
