"""Reads for import and export: the import history, one job's progress, the names an import resolves,
and the rows an export writes (narrowed by the record rules)."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch, QuerySet

from modules.crm.access import get_for, scope
from modules.crm.dataio import fold, read_table
from modules.crm.import_fields import Lookups
from modules.crm.models import Campaign, Deal, ImportJob, Lead, LeadSource, Pipeline, ScoringRule
from modules.parties.models import Address, Party
from modules.parties.provinces import PROVINCE_NAMES
from tenants.models import Membership

Target = ImportJob.Target
EXPORT_FORMATS = ("csv", "xlsx")


def import_jobs_for(*, membership, targets=ImportJob.CRM_TARGETS) -> QuerySet[ImportJob]:
    """Imports of ``targets`` the member may see: their own (everyone's for owners, admins and viewers)."""
    return scope(ImportJob.objects.filter(target__in=targets), membership=membership, owner_field="created_by",
                 team_field=None)


def import_job_for(*, membership, job_id: int, targets=ImportJob.CRM_TARGETS) -> ImportJob:
    return get_for(ImportJob.objects.filter(target__in=targets), membership=membership, pk=job_id,
                   owner_field="created_by", team_field=None)


def member_emails(*, tenant) -> dict[int, str]:
    """User id -> email of everyone who is or was in the workspace (one query, public schema)."""
    return dict(Membership.objects.filter(tenant=tenant).values_list("user_id", "user__email"))


def import_preview(*, job: ImportJob, rows: int = 3) -> dict[str, list]:
    """A few values per column, shown next to the mapping choices."""
    with job.file.open("rb") as handle:
        table = read_table(handle.read(), name=job.original_name)
    samples: dict[str, list] = {header: [] for header in table.headers}
    for _number, cells in table.rows:
        for header, cell in zip(table.headers, cells, strict=True):
            if cell not in (None, ""):
                samples[header].append(cell)
        rows -= 1
        if rows == 0:
            break
    return samples


def written_key(job_id: int) -> str:
    # The default cache prefixes the workspace schema: the key cannot be read from another workspace.
    return f"crm-import-written:{job_id}"


def dry_run_key(job_id: int) -> str:
    """A dry run's state: ``{"running": True}`` while it checks, then the summary of what it would write."""
    return f"crm-import-dry-run:{job_id}"


def import_preview_summary(*, job: ImportJob) -> dict | None:
    """The last dry run's summary while the job still waits to be imported (None: no finished dry run)."""
    summary = cache.get(dry_run_key(job.pk))
    if job.state != ImportJob.State.UPLOADED or not summary or summary.get("running"):
        return None
    return summary


def import_progress(*, job: ImportJob) -> dict:
    """What the progress page shows: checking the rows counts for the first half, saving them for the second."""
    written = job.created_rows
    if job.state == ImportJob.State.RUNNING:
        written = cache.get(written_key(job.pk), 0)
    dry_run = cache.get(dry_run_key(job.pk))
    if job.state in (ImportJob.State.DONE, ImportJob.State.FAILED) or (
            job.state == ImportJob.State.UPLOADED and dry_run and not dry_run.get("running")):
        percent = 100
    elif job.total_rows:
        # A dry run only checks: its rows count for the whole bar.
        share = 100 if dry_run else 50
        percent = min(99, int(share * (job.processed_rows + written) / job.total_rows))
    else:
        percent = 0
    return {"state": job.state, "state_label": str(job.get_state_display()), "total_rows": job.total_rows,
            "processed_rows": job.processed_rows, "written_rows": written, "progress": percent,
            "error_count": len(job.errors)}


def import_lookups(*, target: str, tenant) -> Lookups:
    """The related records an import of ``target`` may name, by every name a file may use."""
    lookups = Lookups(members={email.lower(): user_id for email, user_id in Membership.objects.filter(
        tenant=tenant, is_active=True).values_list("user__email", "user_id")})
    if target == Target.LEADS:
        for source in LeadSource.objects.all():
            lookups.sources[fold(source.code)] = source
            lookups.sources[fold(source.name)] = source
        lookups.campaigns = {campaign.utm_campaign.lower(): campaign for campaign in Campaign.objects.all()}
        lookups.scoring_rules = list(ScoringRule.objects.filter(is_active=True))
    if target == Target.DEALS:
        lookups.pipeline = Pipeline.objects.filter(is_default=True).first()
        if lookups.pipeline is not None:
            for stage in lookups.pipeline.stages.all():
                lookups.stages.setdefault(fold(stage.name), stage)
    return lookups


# --------------------------------------------------------------------------- export

PARTY_COLUMNS = ["name", "kind", "is_customer", "is_supplier", "tax_code", "email", "phone", "website", "tags",
                 "province", "street", "owner"]
LEAD_COLUMNS = ["name", "company", "email", "phone", "tax_code", "source", "campaign", "estimated_value", "status",
                "owner"]
DEAL_COLUMNS = ["title", "party", "value", "currency", "stage", "expected_close", "owner"]
CHUNK = 2000


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def export_table(*, target: str, membership, tenant) -> tuple[list[str], Iterator[list]]:
    """Headers (the import's field keys, so a file exported here imports back) and the rows, lazily."""
    emails = member_emails(tenant=tenant)
    if target == Target.PARTIES:
        parties = scope(Party.objects.filter(is_active=True), membership=membership, team_field=None).prefetch_related(
            Prefetch("addresses", queryset=Address.objects.order_by("-is_primary", "pk")))

        def party_rows():
            for party in parties.iterator(chunk_size=CHUNK):
                address = next(iter(party.addresses.all()), None)
                yield [party.name, party.kind, _yes_no(party.is_customer), _yes_no(party.is_supplier), party.tax_code,
                       party.email, party.phone, party.website, ", ".join(party.tags),
                       PROVINCE_NAMES.get(address.province, "") if address else "",
                       address.street if address else "", emails.get(party.owner_id, "")]

        return PARTY_COLUMNS, party_rows()
    if target == Target.LEADS:
        leads = scope(Lead.objects.all(), membership=membership).select_related("source", "campaign").order_by("pk")

        def lead_rows():
            for lead in leads.iterator(chunk_size=CHUNK):
                yield [lead.name, lead.company, lead.email, lead.phone, lead.tax_code,
                       lead.source.name if lead.source else "", lead.campaign.utm_campaign if lead.campaign else "",
                       lead.estimated_value, lead.status, emails.get(lead.owner_id, "")]

        return LEAD_COLUMNS, lead_rows()
    deals = scope(Deal.objects.all(), membership=membership).select_related("party", "stage").order_by("pk")

    def deal_rows():
        for deal in deals.iterator(chunk_size=CHUNK):
            yield [deal.title, deal.party.name, deal.value, deal.currency, deal.stage.name, deal.expected_close,
                   emails.get(deal.owner_id, "")]

    return DEAL_COLUMNS, deal_rows()


def in_schema(rows: Iterator[list]) -> Iterator[list]:
    """A streamed export reads after the view returned: pin the rows to the schema the view ran in."""
    tenant = connection.tenant

    def pinned():
        if connection.schema_name != tenant.schema_name:
            connection.set_tenant(tenant)
        yield from rows

    return pinned()
