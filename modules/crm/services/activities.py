"""Activities (calls, meetings, tasks, notes, logged emails) and their reminders."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.crm.audit import audit_change, snapshot
from modules.crm.errors import CrmError
from modules.crm.models import Activity, Notification

ACTIVITY_FIELDS = ["kind", "subject", "body", "party", "lead", "deal", "owner", "due_at", "remind_at", "done_at"]


@transaction.atomic
def activity_create(*, actor, **fields) -> Activity:
    activity = Activity(**fields)
    if activity.owner_id is None:
        activity.owner_id = actor.pk
    if not (activity.party_id or activity.lead_id or activity.deal_id):
        raise CrmError("activity_unlinked", _("Link the activity to a company or contact, a lead or a deal."))
    if activity.deal_id and not activity.party_id:
        activity.party_id = activity.deal.party_id
    if activity.kind in (Activity.Kind.NOTE, Activity.Kind.EMAIL) and activity.done_at is None:
        activity.done_at = timezone.now()  # a note or a logged email is something that happened
    activity.full_clean()
    activity.save()
    audit_change(actor=actor, action="activity.created", target=activity, before=None,
                 after=snapshot(activity, ACTIVITY_FIELDS))
    return activity


@transaction.atomic
def activity_complete(*, activity: Activity, actor) -> Activity:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.done_at is not None:
        return activity
    before = snapshot(activity, ACTIVITY_FIELDS)
    activity.done_at = timezone.now()
    activity.save(update_fields=["done_at"])
    audit_change(actor=actor, action="activity.done", target=activity, before=before,
                 after=snapshot(activity, ACTIVITY_FIELDS))
    return activity


def notify(*, user_id: int, text: str, url: str = "", email: str | None = None) -> Notification:
    """An in-app notification, and the same by email when an address is given (sent on commit)."""
    notification = Notification.objects.create(user_id=user_id, text=text[:300], url=url)
    if email:
        transaction.on_commit(lambda: send_mail(subject=text[:120], message=f"{text}\n\n{url}", from_email=None,
                                                recipient_list=[email]))
    return notification


def activity_reminders_send(*, now=None, base_url: str = "") -> int:
    """Remind owners of activities whose reminder time has come (once each). Returns how many."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = list(Activity.objects.select_for_update(skip_locked=True)
                   .filter(remind_at__lte=now, reminded_at__isnull=True, done_at__isnull=True, owner__isnull=False))
        emails = dict(get_user_model().objects.filter(pk__in={a.owner_id for a in due}).values_list("pk", "email"))
        for activity in due:
            when = timezone.localtime(activity.due_at).strftime("%d/%m/%Y %H:%M") if activity.due_at else ""
            notify(user_id=activity.owner_id, text=_("Reminder: %(subject)s %(when)s") % {
                "subject": activity.subject, "when": when}, url=f"{base_url}/crm/my-day/",
                email=emails.get(activity.owner_id))
            activity.reminded_at = now
            activity.save(update_fields=["reminded_at"])
            sent += 1
    return sent
