"""Public-host endpoints that payment providers call. No session, no CSRF: each checks its own secret."""

from __future__ import annotations

import hmac
import json
import logging
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import services, stripe_gateway
from billing.errors import BillingError
from billing.stripe_sync import stripe_webhook_receive

logger = logging.getLogger(__name__)
BANK_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _error(error: BillingError) -> JsonResponse:
    return JsonResponse(error.as_json(), status=error.http_status)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    if not stripe_gateway.stripe_enabled():
        return _error(BillingError("stripe_disabled", "Stripe is not configured."))
    try:
        stored = stripe_webhook_receive(payload=request.body,
                                        signature_header=request.headers.get("Stripe-Signature", ""))
    except stripe_gateway.StripeSignatureError as error:
        return _error(BillingError(error.code, error.message))
    return JsonResponse({"received": True, "duplicate": not stored})


@csrf_exempt
@require_POST
def bank_feed(request):
    """A bank-notification service (SePay's format) posts each incoming transfer here.

    Header ``Authorization: Apikey <BANK_FEED_SECRET>``; body {"id", "transferAmount", "content",
    "transactionDate": "YYYY-MM-DD HH:MM:SS" (Vietnam time), "transferType": "in", ...}.
    """
    secret = settings.BANK_FEED_SECRET
    given = request.headers.get("Authorization", "").removeprefix("Apikey ").strip()
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return _error(BillingError("bank_feed_unauthorized", "Bad or missing API key."))
    try:
        data = json.loads(request.body)
        provider_id = str(data["id"])
        amount = Decimal(str(data["transferAmount"]))
        occurred_at = datetime.strptime(data["transactionDate"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=BANK_TIMEZONE)
        content = str(data.get("content") or "")
        direction = data.get("transferType", "in")
    except (ValueError, KeyError, TypeError, InvalidOperation, json.JSONDecodeError):
        return _error(BillingError("invalid_payload", "Expected id, transferAmount, content and transactionDate."))
    if direction != "in" or amount <= 0:
        return JsonResponse({"success": True, "ignored": "not an incoming transfer"})
    bank_tx, created = services.bank_transaction_record(provider_id=provider_id, amount=amount, content=content,
                                                        occurred_at=occurred_at, payload=data)
    return JsonResponse({"success": True, "status": bank_tx.status, "duplicate": not created})
