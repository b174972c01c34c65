"""The workspace audit log for owners and admins, with export (CSV, API, emailed): an Enterprise feature."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.entitlements import api_feature_required, feature_required
from modules.audit.models import AuditEntry
from tenants.access import module_required
from tenants.roles import Access

EXPORT_FEATURE = "platform.audit_export"


@module_required("audit", Access.VIEW)
@feature_required(EXPORT_FEATURE)
def audit_log(request):
    page = Paginator(AuditEntry.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"page": page})


def audit_csv(entries) -> str:
    users = _emails({entry.actor_id for entry in entries} | {entry.impersonator_id for entry in entries})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["time", "actor", "impersonator", "action", "target_type", "target_id", "detail"])
    for entry in entries:
        writer.writerow([entry.created_at.isoformat(), users.get(entry.actor_id, ""),
                         users.get(entry.impersonator_id, ""), entry.action, entry.target_type, entry.target_id,
                         entry.detail])
    return buffer.getvalue()


def _emails(user_ids: set) -> dict:
    from django.contrib.auth import get_user_model

    return dict(get_user_model().objects.filter(pk__in=[pk for pk in user_ids if pk]).values_list("pk", "email"))


@module_required("audit", Access.VIEW)
@feature_required(EXPORT_FEATURE)
def audit_export_csv(request):
    response = HttpResponse(audit_csv(list(AuditEntry.objects.all())), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{request.tenant.schema_name}.csv"'
    return response


@require_POST
@module_required("audit", Access.VIEW)
@feature_required(EXPORT_FEATURE)
def audit_export_email(request):
    from modules.audit.tasks import audit_export_send

    audit_export_send.delay(email=request.user.email)
    messages.success(request, _("The export is on its way to %(email)s.") % {"email": request.user.email})
    return redirect("audit_log")


@module_required("audit", Access.VIEW)
@api_feature_required(EXPORT_FEATURE)
def audit_export_api(request):
    """GET /api/v1/audit-log/?limit=N: the newest entries as JSON."""
    try:
        limit = max(1, min(1000, int(request.GET.get("limit", 100))))
    except ValueError:
        return JsonResponse({"error": {"code": "invalid_limit", "message": "limit must be a number"}}, status=400)
    entries = list(AuditEntry.objects.all()[:limit])
    users = _emails({entry.actor_id for entry in entries})
    return JsonResponse({"results": [
        {"time": entry.created_at.isoformat(), "actor": users.get(entry.actor_id), "action": entry.action,
         "target_type": entry.target_type, "target_id": entry.target_id, "detail": entry.detail}
        for entry in entries]})
