"""Billing pages in the workspace and in the vendor console."""

from datetime import timedelta
from decimal import Decimal

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import Plan
from billing.selectors import mrr_history, mrr_now
from billing.services import payment_order_confirm, payment_order_create, price_quote
from tests.conftest import client_for
from tests.factories import UserFactory


def test_overview_shows_plan_usage_bars_and_plans(ws_a):
    # when
    page = client_for(ws_a, ws_a.users["owner"]).get("/billing/").content.decode()
    # then
    assert 'data-testid="usage-seats"' in page
    assert "<strong>5</strong> / 15" in page
    assert 'aria-valuenow="33"' in page
    assert page.count('class="card plan') == 4
    assert "1.490.000 ₫" in page


def test_billing_is_for_owners_and_admins(ws_a):
    assert client_for(ws_a, ws_a.users["member"]).get("/billing/").status_code == 403
    assert client_for(ws_a, ws_a.users["admin"]).get("/billing/").status_code == 200


def test_change_flow_shows_the_price_difference_before_confirming(ws_a):
    # given: A paid Growth by bank 10 days ago
    ten_days_ago = timezone.now() - timedelta(days=10)
    with time_machine.travel(ten_days_ago, tick=False):
        order = payment_order_create(tenant=ws_a.tenant, plan_code="growth", period="month",
                                     actor=ws_a.users["owner"])
        payment_order_confirm(order=order)
    # when
    quote = price_quote(tenant=ws_a.tenant, plan_code="scale", period="month")
    page = client_for(ws_a, ws_a.users["owner"]).get("/billing/change/scale/").content.decode()
    # then: about two thirds of the Growth month is credited
    assert Decimal(900_000) < quote["credit"] < Decimal(1_100_000)
    assert quote["due_now"] == Decimal(4_990_000) - quote["credit"]
    assert 'data-testid="due-now"' in page
    assert f"{int(quote['due_now']):,}".replace(",", ".") in page


def test_receipt_is_reachable_from_the_history_and_not_from_another_workspace(ws_a, ws_b):
    # given
    order = payment_order_create(tenant=ws_a.tenant, plan_code="scale", period="month", actor=ws_a.users["owner"])
    payment = payment_order_confirm(order=order)
    # when
    history = client_for(ws_a, ws_a.users["owner"]).get("/billing/").content.decode()
    receipt = client_for(ws_a, ws_a.users["owner"]).get(f"/billing/receipts/{payment.receipt_number}/")
    foreign = client_for(ws_b, ws_b.users["owner"]).get(f"/billing/receipts/{payment.receipt_number}/")
    # then
    assert payment.receipt_number in history
    assert receipt.status_code == 200
    assert foreign.status_code == 404


def test_upgrade_page_names_the_tier_and_offers_the_button(ws_a):
    page = client_for(ws_a, ws_a.users["owner"]).get("/upgrade/erp.mrp/").content.decode()
    assert 'href="/billing/change/enterprise/"' in page


def test_console_dashboard_mrr_chart_and_lists_without_n_plus_one(ws_a, ws_b):
    # given
    vendor = UserFactory(is_staff=True)
    client = client_for(None, vendor)
    for ws in (ws_a, ws_b):
        payment_order_confirm(order=payment_order_create(tenant=ws.tenant, plan_code="scale", period="month",
                                                         actor=ws.users["owner"]))
        payment_order_create(tenant=ws.tenant, plan_code="enterprise", period="year", actor=ws.users["owner"])
    # when
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/console/billing/").content.decode()
    # then
    assert mrr_now() >= Decimal(2 * 4_990_000)
    assert 'id="mrr-chart"' in page
    assert "chart-4.6.1.umd.min.js" in page
    assert page.count("console/billing/orders/") == 2
    assert len(queries.captured_queries) <= 15


def test_mrr_history_replays_the_ledger_month_by_month(ws_a):
    # given: Scale paid in a month three months ago
    three_months_ago = timezone.now() - timedelta(days=95)
    with time_machine.travel(three_months_ago, tick=False):
        payment_order_confirm(order=payment_order_create(tenant=ws_a.tenant, plan_code="scale", period="month",
                                                         actor=ws_a.users["owner"]))
    # when
    history = mrr_history(months=6)
    # then
    assert len(history) == 6
    assert history[0]["mrr"] < history[-1]["mrr"]
    assert history[-1]["mrr"] >= Decimal(4_990_000)


def test_vendor_edits_a_plan_in_the_console(ws_a):
    # given
    vendor = UserFactory(is_staff=True)
    plan = Plan.objects.get(code="growth")
    form = {"name_vi": plan.name_vi, "name_en": plan.name_en, "price_vnd_month": "1590000",
            "price_vnd_year": "15900000", "price_usd_month": "63.00", "price_usd_year": "630.00",
            "stripe_price_month": "", "stripe_price_year": "", "trial_days": "14", "is_active": "on",
            "features": [*plan.features, "platform.api"], "limit_seats": "20", "limit_contacts": "",
            "limit_pipelines": "", "limit_warehouses": "1"}
    # when
    response = client_for(None, vendor).post("/console/plans/growth/", form)
    # then
    plan.refresh_from_db()
    assert response.status_code == 302
    assert plan.price_vnd_month == Decimal(1_590_000)
    assert plan.limits == {"seats": 20, "contacts": None, "pipelines": None, "warehouses": 1}
    assert client_for(ws_a, ws_a.users["owner"]).get("/billing/").content.decode().count("/ 20") == 1


def test_vendor_plan_form_reports_field_errors(ws_a):
    vendor = UserFactory(is_staff=True)
    response = client_for(None, vendor).post("/console/plans/growth/", {"name_vi": "", "price_vnd_month": "abc"})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
