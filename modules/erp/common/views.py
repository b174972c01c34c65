"""The company details page: the seller printed on quotations, orders and invoices."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from modules.erp.common.company import FIELDS, company_profile, company_profile_update
from modules.erp.common.models import CompanyProfile
from modules.erp.errors import ErpError
from modules.erp.views_common import erp_view
from tenants.access import membership_allows
from tenants.roles import Access


class CompanyForm(forms.ModelForm):
    class Meta:
        model = CompanyProfile
        fields = list(FIELDS)
        help_texts = {"tax_code": gettext_lazy("10 digits, or 13 for a branch (0123456789-001).")}


@erp_view("erp.catalog")
def company_detail(request):
    profile = company_profile()
    can_edit = membership_allows(request.membership, "erp", Access.EDIT)
    form = CompanyForm(request.POST or None, instance=profile)
    if request.method == "POST" and can_edit and form.is_valid():
        try:
            company_profile_update(actor=request.user, **{name: form.cleaned_data[name] for name in FIELDS})
        except ErpError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Company details saved: they are printed on your documents."))
            return redirect("company_detail")
    return render(request, "erp/company.html", {"form": form, "profile": profile, "can_edit": can_edit},
                  status=400 if form.errors else 200)


urlpatterns = [path("", company_detail, name="company_detail")]
