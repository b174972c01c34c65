"""Vendor console: revenue, trials, failed payments, bank transfers, and the plan catalogue."""

from __future__ import annotations

import json

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import selectors, services
from billing.errors import BillingError
from billing.forms import PlanEditForm, ResolveTransferForm
from billing.models import BankTransaction, PaymentOrder, Plan, SubscriptionChange
from tenants.console_views import staff_member_required
from tenants.models import Tenant


@staff_member_required
def dashboard(request):
    overview = selectors.console_overview()
    history = overview["history"]
    chart = {"labels": [point["month"] for point in history], "values": [int(point["mrr"]) for point in history]}
    return render(request, "console/billing.html", {**overview, "chart_json": json.dumps(chart),
                                                    "resolve_form": ResolveTransferForm()})


@require_POST
@staff_member_required
def order_confirm(request, order_id: int):
    order = get_object_or_404(PaymentOrder, pk=order_id)
    payment = services.payment_order_confirm(order=order, actor=request.user)
    if payment is None:
        messages.info(request, _("This order was already confirmed; nothing changed."))
    else:
        messages.success(request, _("Payment confirmed; receipt %(number)s.") % {"number": payment.receipt_number})
    return redirect("console_billing")


@require_POST
@staff_member_required
def transfer_resolve(request, transaction_id: int):
    bank_tx = get_object_or_404(BankTransaction, pk=transaction_id)
    form = ResolveTransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note on how this transfer was settled."))
        return redirect("console_billing")
    reference = form.cleaned_data["reference"].strip().upper()
    order = PaymentOrder.objects.filter(reference=reference).first() if reference else None
    if reference and order is None:
        messages.error(request, _("No payment order has the reference %(ref)s.") % {"ref": reference})
        return redirect("console_billing")
    try:
        services.bank_transaction_resolve(bank_tx=bank_tx, actor=request.user, order=order,
                                          note=form.cleaned_data["note"])
    except BillingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Transfer settled."))
    return redirect("console_billing")


@staff_member_required
def plan_list(request):
    return render(request, "console/plans.html", {"plans": Plan.objects.all()})


@staff_member_required
def plan_edit(request, code: str):
    plan = get_object_or_404(Plan, code=code)
    form = PlanEditForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        from billing.catalogue import LIMIT_KEYS

        fields = {name: form.cleaned_data[name] for name in PlanEditForm.Meta.fields}
        try:
            services.plan_update(plan=plan, fields=fields, features=form.cleaned_data["features"],
                                 limits={key: form.cleaned_data.get(f"limit_{key}") for key in LIMIT_KEYS},
                                 actor=request.user)
        except BillingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Plan saved. Workspaces on it see the change at once."))
            return redirect("console_plans")
    return render(request, "console/plan_edit.html", {"plan": plan, "form": form}, status=400 if form.errors else 200)


@require_POST
@staff_member_required
def tenant_plan(request, tenant_id: int):
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    try:
        if request.POST.get("action") == "extend_trial":
            services.trial_extend(tenant=tenant, days=int(request.POST.get("days") or 0), actor=request.user)
        else:
            services.subscription_change_plan(tenant=tenant, plan_code=request.POST.get("plan", ""),
                                              actor=request.user, source=SubscriptionChange.Source.VENDOR,
                                              keep_member_ids=request.POST.getlist("keep") or None,
                                              note="changed by vendor staff")
    except (BillingError, ValueError) as error:
        messages.error(request, getattr(error, "message", str(error)))
    else:
        messages.success(request, _("Subscription updated."))
    return redirect("console_tenant_detail", tenant_id=tenant.pk)
