from django.core.mail import EmailMessage
from django.db import connection

from billing.entitlements import task_feature_required
from saas_platform.celery import app


@app.task(acks_late=True, reject_on_worker_lost=True)
@task_feature_required("platform.audit_export")
def audit_export_send(*, email: str) -> int:
    """Email the workspace's audit log as CSV (runs in the workspace's schema). Returns the row count."""
    from modules.audit.models import AuditEntry
    from modules.audit.views import audit_csv

    entries = list(AuditEntry.objects.all())
    message = EmailMessage(subject=f"Audit log: {connection.tenant.name}", body="CSV attached.", to=[email])
    message.attach(f"audit-{connection.schema_name}.csv", audit_csv(entries), "text/csv")
    message.send()
    return len(entries)
