"""Bank transfer: payment orders with VietQR, the bank feed, staff confirmation."""

import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from billing.models import BankTransaction, Payment, PaymentOrder, Subscription
from billing.services import payment_order_confirm, payment_order_create
from billing.vietqr import vietqr_parse
from tests.conftest import client_for
from tests.factories import UserFactory

FEED_SECRET = "feed-secret"


@pytest.fixture
def feed(settings):
    settings.BANK_FEED_SECRET = FEED_SECRET
    client = Client(HTTP_HOST="localhost")

    def post(payload: dict, secret: str = FEED_SECRET):
        return client.post("/billing/bank-feed/", data=json.dumps(payload), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Apikey {secret}")

    return post


def _transfer(provider_id, amount, content):
    return {"id": provider_id, "gateway": "Vietcombank", "transactionDate": "2026-11-27 10:15:00",
            "accountNumber": settings.VENDOR_BANK_ACCOUNT, "content": content, "transferType": "in",
            "transferAmount": amount, "referenceCode": f"FT{provider_id}"}


def _order(ws, plan="scale", period="month"):
    return payment_order_create(tenant=ws.tenant, plan_code=plan, period=period, actor=ws.users["owner"])


def test_owner_gets_a_payment_order_with_a_vietqr_code(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    response = client.post("/billing/change/scale/", {"action": "bank", "period": "year"})
    order = PaymentOrder.objects.get(tenant=ws_a.tenant, status="pending")
    page = client.get(response["Location"]).content.decode()
    # then
    assert response.status_code == 302
    assert order.amount_vnd == Decimal(49_900_000)
    assert order.reference in page
    assert "49.900.000 ₫" in page
    assert "<svg" in page


def test_the_qr_payload_carries_account_amount_and_reference(ws_a):
    # given
    from billing.vietqr import vietqr_payload

    order = _order(ws_a)
    # when
    parsed = vietqr_parse(vietqr_payload(bank_bin=settings.VENDOR_BANK_BIN,
                                         account_number=settings.VENDOR_BANK_ACCOUNT,
                                         amount=int(order.amount_vnd), reference=order.reference))
    # then
    assert parsed["amount"] == 4_990_000
    assert parsed["reference"] == order.reference
    assert parsed["account_number"] == settings.VENDOR_BANK_ACCOUNT


def test_staff_confirmation_starts_the_period_at_once(ws_a):
    # given
    order = _order(ws_a)
    # when
    payment = payment_order_confirm(order=order, actor=UserFactory(is_staff=True))
    # then
    subscription = Subscription.objects.get(tenant=ws_a.tenant)
    assert (subscription.plan.code, subscription.status, subscription.provider) == ("scale", "active", "bank")
    assert subscription.current_period_end == payment.period_end
    assert payment.amount == Decimal(4_990_000)


def test_a_reference_confirmed_twice_does_not_double_the_period(ws_a):
    # given
    order = _order(ws_a)
    payment_order_confirm(order=order)
    first_end = Subscription.objects.get(tenant=ws_a.tenant).current_period_end
    # when
    again = payment_order_confirm(order=order)
    # then
    assert again is None
    assert Subscription.objects.get(tenant=ws_a.tenant).current_period_end == first_end
    assert Payment.objects.filter(reference=order.reference).count() == 1


def test_feed_transfer_with_reference_and_exact_amount_confirms(ws_a, feed):
    # given
    order = _order(ws_a)
    # when: banks upper-case and re-space the content
    response = feed(_transfer(9001, 4_990_000, f"MBVCB.123 {order.reference.lower()} thanh toan"))
    # then
    order.refresh_from_db()
    assert response.json() == {"success": True, "status": "matched", "duplicate": False}
    assert order.status == "paid"
    assert Subscription.objects.get(tenant=ws_a.tenant).plan.code == "scale"


def test_replayed_notification_changes_nothing(ws_a, feed):
    # given
    order = _order(ws_a)
    feed(_transfer(9002, 4_990_000, order.reference))
    end = Subscription.objects.get(tenant=ws_a.tenant).current_period_end
    # when
    replay = feed(_transfer(9002, 4_990_000, order.reference))
    # then
    assert replay.json()["duplicate"] is True
    assert BankTransaction.objects.filter(provider_id="9002").count() == 1
    assert Subscription.objects.get(tenant=ws_a.tenant).current_period_end == end


@pytest.mark.parametrize(("amount", "content", "status"), [
    (4_000_000, "{ref}", "short"),
    (5_990_000, "{ref}", "over"),
    (4_990_000, "chuyen khoan khong ghi ma", "unmatched"),
])
def test_short_over_and_unmatched_transfers_wait_for_a_person(ws_a, feed, amount, content, status):
    # given
    order = _order(ws_a)
    vendor = UserFactory(is_staff=True)
    # when
    response = feed(_transfer(9100 + amount % 97, amount, content.format(ref=order.reference)))
    console = client_for(None, vendor).get("/console/billing/").content.decode()
    # then
    order.refresh_from_db()
    assert response.json()["status"] == status
    assert order.status == "pending"
    assert content.format(ref=order.reference) in console


def test_staff_resolve_a_short_transfer_by_confirming_the_order(ws_a, feed):
    # given
    order = _order(ws_a)
    feed(_transfer(9200, 4_900_000, order.reference))
    bank_tx = BankTransaction.objects.get(provider_id="9200")
    vendor = UserFactory(is_staff=True)
    # when
    client_for(None, vendor).post(f"/console/billing/transfers/{bank_tx.pk}/resolve/",
                                  {"reference": order.reference, "note": "customer paid the fee separately"})
    # then
    bank_tx.refresh_from_db()
    order.refresh_from_db()
    assert bank_tx.status == "resolved"
    assert order.status == "paid"


@pytest.mark.parametrize("secret", ["", "wrong"])
def test_feed_without_the_shared_secret_is_refused(ws_a, feed, secret):
    # when
    response = feed(_transfer(9300, 1, "x"), secret=secret)
    # then
    assert response.status_code == 401
    assert not BankTransaction.objects.filter(provider_id="9300").exists()


def test_feed_with_a_malformed_body_is_400(feed):
    response = feed({"id": 1, "transferAmount": "lots"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_payload"


def test_staff_confirm_from_the_console(ws_a):
    # given
    order = _order(ws_a)
    vendor = UserFactory(is_staff=True)
    # when
    response = client_for(None, vendor).post(f"/console/billing/orders/{order.pk}/confirm/")
    # then
    order.refresh_from_db()
    assert response.status_code == 302
    assert order.status == "paid"
    assert order.confirmed_by == vendor
