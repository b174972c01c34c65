"""Imports of companies & contacts, leads and deals from CSV or XLSX: upload, column mapping, run.

A run checks every row first and writes nothing if any row is wrong (the report lists each problem by
spreadsheet row and column); otherwise it writes every row in one transaction, in chunks (``bulk_copy``:
``bulk_create`` through COPY), under the workspace row lock so the plan's contact limit holds against
other writers.
One audit row per import ("import.done"), not one per record.

Other modules add their own targets (the ERP's products and opening stock) with ``import_kind_register``: the
same upload, mapping, row-by-row check, all-or-nothing write, progress and report. A run can also be a dry
run: every row is checked, nothing is written, and a summary of what the import would write is kept for the
preview (``import_preview_summary``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.entitlements import entitlements_for, feature_blocked_error, limit_check
from billing.errors import BillingError
from modules.audit.services import audit_record
from modules.crm.dataio import EXTENSIONS, MAX_UPLOAD_BYTES, read_table
from modules.crm.errors import CrmError
from modules.crm.import_fields import FIELDS, CellError, FieldSpec, Lookups, fields_of, suggest_mapping
from modules.crm.models import Deal, DealStageChange, ImportJob, Lead, Stage
from modules.crm.selectors.imports import dry_run_key, import_lookups, written_key
from modules.crm.services._bulk import bulk_copy
from modules.crm.services.leads import lead_score
from modules.parties.models import Address, Party, Unaccent
from modules.parties.validation import tax_code_normalise
from tenants.locks import membership_lock_for_tenant

logger = logging.getLogger(__name__)

Target = ImportJob.Target
State = ImportJob.State
CHUNK = 1000
MAX_REPORTED_ERRORS = 1000
PREVIEW_SECONDS = 24 * 3600


# --------------------------------------------------------------------------- targets of other modules


@dataclass(frozen=True)
class ImportKind:
    """A target another module handles, run through the same check-everything-then-write-everything path.

    ``lookups(tenant)`` loads once what rows may name; ``build`` checks one parsed row like the CRM builders
    (appending to ``checked.records``, answering the row's problems); ``resolve(checked, column_of, lookups)``
    checks across rows once all are read; ``write(job, checked, lookups, actor, progress)`` writes everything
    inside the run's transaction and answers the audit detail (with ``created``); ``summary(checked, lookups)``
    tells a dry run what would be written. ``errors``: the module's error types whose ``message`` is reported."""

    feature: str
    fields: list
    lookups: Callable
    build: Callable
    write: Callable
    summary: Callable
    resolve: Callable | None = None
    errors: tuple = ()


KINDS: dict[str, ImportKind] = {}


def import_kind_register(target: str, kind: ImportKind) -> None:
    if target not in Target.values:
        raise ValueError(f"{target} is not an ImportJob target")
    KINDS[target] = kind
    FIELDS[target] = kind.fields


# --------------------------------------------------------------------------- upload and mapping


@transaction.atomic
def import_job_create(*, target: str, upload, actor) -> ImportJob:
    """Keep the file, read its header, and suggest a column mapping. Nothing is imported yet."""
    if target not in Target.values:
        raise CrmError("import_target", _("Choose what the file contains."), field="target")
    name = upload.name.replace("\\", "/").rsplit("/", 1)[-1]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise CrmError("file_type", _("Upload a .csv or .xlsx file."), field="file")
    if upload.size > MAX_UPLOAD_BYTES:
        raise CrmError("file_too_large", _("The file is larger than 20 MB. Split it into smaller files."),
                       field="file")
    content = upload.read()
    table = read_table(content, name=name)
    job = ImportJob(target=target, original_name=name[:255], headers=table.headers,
                    mapping=suggest_mapping(target, table.headers), created_by_id=actor.pk)
    job.file.save(f"{uuid.uuid4().hex}{extension}", ContentFile(content), save=False)
    job.full_clean(exclude=["created_by"])
    job.save()
    cache.delete(dry_run_key(job.pk))  # ids restart with a rebuilt database (tests): never inherit a preview
    return job


@transaction.atomic
def import_job_start(*, job: ImportJob, mapping: dict[str, str], actor, dry_run: bool = False) -> ImportJob:
    """Save the mapping (file column -> field) and queue the run (``dry_run``: check only, write nothing).
    A failed import may be mapped again."""
    from modules.crm.tasks import import_run

    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state not in (State.UPLOADED, State.FAILED):
        raise CrmError("import_started", _("This import has already started."))
    specs = fields_of(job.target)
    chosen: dict[str, str] = {}
    for header, key in mapping.items():
        if not key:
            continue
        if header not in job.headers or key not in specs:
            raise CrmError("import_mapping_unknown", _("Choose a field from the list."), field=header)
        if key in chosen.values():
            raise CrmError("import_field_twice", _("%(field)s is already chosen for another column.") % {
                "field": specs[key].label}, field=header)
        chosen[header] = key
    missing = [str(spec.label) for spec in specs.values() if spec.required and spec.key not in chosen.values()]
    if missing:
        raise CrmError("import_required_unmapped", _("Choose a column for: %(fields)s.") % {
            "fields": ", ".join(missing)})
    job.mapping = chosen
    job.state = State.QUEUED
    job.errors = []
    job.total_rows = job.processed_rows = job.created_rows = 0
    job.finished_at = None
    job.save(update_fields=["mapping", "state", "errors", "total_rows", "processed_rows", "created_rows",
                            "finished_at"])
    job_id = job.pk
    if dry_run:
        cache.set(dry_run_key(job_id), {"running": True}, PREVIEW_SECONDS)
        transaction.on_commit(lambda: import_run.delay(job_id, dry_run=True))
    else:
        cache.delete(dry_run_key(job_id))
        transaction.on_commit(lambda: import_run.delay(job_id))
    return job


# --------------------------------------------------------------------------- the run


@dataclass
class Checked:
    """What the check pass hands to the write pass."""

    records: list = field(default_factory=list)  # per target: Party, Lead or Deal instances
    addresses: list = field(default_factory=list)  # parties: (index into records, Address)
    new_parties: dict = field(default_factory=dict)  # deals: plain name -> Party to create
    deal_party: list = field(default_factory=list)  # deals: per record, the file's text, then a party id or plain name
    deal_rows: list = field(default_factory=list)  # deals: per record, its spreadsheet row
    errors: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # registered kinds keep what their write needs here


def import_job_run(*, job_id: int, tenant, dry_run: bool = False) -> ImportJob:
    """Check every row, then write all of them or none (``dry_run``: none, keeping a summary for the preview).
    Runs in the workspace's schema (Celery task)."""
    # Running too: a worker lost mid-import wrote nothing (one transaction), so its redelivery starts over.
    claimed = ImportJob.objects.filter(pk=job_id, state__in=[State.QUEUED, State.RUNNING]).update(
        state=State.RUNNING)
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:  # a redelivered message after the import finished
        return job
    actor = get_user_model().objects.filter(pk=job.created_by_id).first()
    kind = KINDS.get(job.target)
    reported = (CrmError, BillingError, *(kind.errors if kind else ()))
    try:
        if kind is not None and not entitlements_for(tenant).allows(kind.feature):
            raise feature_blocked_error(kind.feature)
        checked = _check(job=job, tenant=tenant, actor=actor)
        if checked.errors:
            return _fail(job, checked.errors)
        if dry_run:
            return _checked_only(job, checked)
        if kind is not None:
            created = _write_kind(job=job, checked=checked, kind=kind, actor=actor)
        else:
            created = _write(job=job, checked=checked, tenant=tenant, actor=actor)
    except reported as error:
        return _fail(job, [_problem(None, "", error.message)])
    except Exception:
        logger.exception("import %s failed", job_id)
        _fail(job, [_problem(None, "", _("Something went wrong while importing. Nothing was written."))])
        raise
    finally:
        cache.delete(written_key(job_id))
    job.refresh_from_db()
    logger.info("import %s: %s rows of %s", job_id, created, job.target)
    return job


def _problem(row: int | None, column: str, message: str, field_key: str = "") -> dict:
    return {"row": row, "column": column, "field": field_key, "message": str(message)}


def _fail(job: ImportJob, errors: list[dict]) -> ImportJob:
    if len(errors) > MAX_REPORTED_ERRORS:
        more = len(errors) - MAX_REPORTED_ERRORS
        errors = [*errors[:MAX_REPORTED_ERRORS],
                  _problem(None, "", _("... and %(count)d more problems.") % {"count": more})]
    ImportJob.objects.filter(pk=job.pk).update(state=State.FAILED, errors=errors, created_rows=0,
                                               finished_at=timezone.now())
    cache.delete(dry_run_key(job.pk))
    job.refresh_from_db()
    return job


def _checked_only(job: ImportJob, checked: Checked) -> ImportJob:
    """A dry run without problems: back to "waiting" with its mapping, the summary kept for the preview."""
    kind = KINDS.get(job.target)
    summary = kind.summary(checked, checked.extra.get("lookups")) if kind else {"rows": len(checked.records)}
    cache.set(dry_run_key(job.pk), {"running": False, **summary}, PREVIEW_SECONDS)
    ImportJob.objects.filter(pk=job.pk).update(state=State.UPLOADED, errors=[], finished_at=None)
    job.refresh_from_db()
    return job


def _check(*, job: ImportJob, tenant, actor) -> Checked:
    with job.file.open("rb") as handle:
        table = read_table(handle.read(), name=job.original_name)
    rows = list(table.rows)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows), processed_rows=0)
    if not rows:
        raise CrmError("file_no_rows", _("The file has a header but no rows."))
    specs = fields_of(job.target)
    columns = [(index, header, specs[job.mapping[header]]) for index, header in enumerate(table.headers)
               if header in job.mapping]
    column_of = {spec.key: header for _index, header, spec in columns}
    kind = KINDS.get(job.target)
    lookups = kind.lookups(tenant) if kind else import_lookups(target=job.target, tenant=tenant)
    build = kind.build if kind else BUILDERS[job.target]
    checked = Checked(extra={"lookups": lookups})
    for done, (number, cells) in enumerate(rows, start=1):
        values, problems = _parse_row(number, cells, columns, lookups)
        if not problems:
            problems = build(checked=checked, values=values, lookups=lookups, actor=actor, number=number,
                             report=_reporter(number, column_of))
        checked.errors.extend(problems)
        if done % CHUNK == 0:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=done)
    if job.target == Target.DEALS:
        checked.errors.extend(_resolve_deal_parties(checked, column_of["party"], actor))
        checked.errors.sort(key=lambda problem: problem["row"])  # stable: columns keep their order in a row
    if kind is not None and kind.resolve is not None:
        checked.errors.extend(kind.resolve(checked, column_of, lookups))
        checked.errors.sort(key=lambda problem: problem["row"] or 0)
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=len(rows))
    return checked


def _parse_row(number: int, cells: list, columns: list[tuple[int, str, FieldSpec]],
               lookups: Lookups) -> tuple[dict, list[dict]]:
    values, problems = {}, []
    for index, header, spec in columns:
        try:
            values[spec.key] = spec.parse(cells[index], lookups)
        except CellError as error:
            problems.append(_problem(number, header, error.message, spec.key))
            continue
        if spec.required and values[spec.key] in (None, ""):
            problems.append(_problem(number, header, _("This column must be filled in."), spec.key))
    return values, problems


def _reporter(number: int, column_of: dict[str, str]) -> Callable[[ValidationError], list[dict]]:
    """Model validation messages, each under the file column of its field."""

    def report(error: ValidationError) -> list[dict]:
        return [_problem(number, column_of.get(key, ""), message, key)
                for key, messages in error.message_dict.items() for message in messages]

    return report


def _clean(instance, exclude: list[str]) -> None:
    # Foreign keys were resolved from lookups loaded once; validating them here would query per row.
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


PARTY_FKS = ["organization", "merged_into", "owner", "created_by"]


def _build_party(*, checked: Checked, values: dict, lookups: Lookups, actor, number: int, report) -> list[dict]:
    party = Party(name=values["name"], kind=values.get("kind") or Party.Kind.ORGANIZATION,
                  is_customer=values.get("is_customer", False), is_supplier=values.get("is_supplier", False),
                  tax_code=values.get("tax_code", ""), email=values.get("email", ""), phone=values.get("phone", ""),
                  website=values.get("website", ""), tags=values.get("tags", []),
                  owner_id=values.get("owner") or actor.pk, created_by_id=actor.pk)
    try:
        _clean(party, PARTY_FKS)
    except ValidationError as error:
        return report(error)
    street, province = values.get("street", ""), values.get("province", "")
    if street or province:
        address = Address(street=street, province=province, is_primary=True)
        try:
            _clean(address, ["party"])
        except ValidationError as error:
            return report(error)
        checked.addresses.append((len(checked.records), address))
    checked.records.append(party)
    return []


LEAD_FKS = ["source", "campaign", "owner", "team", "party"]


def _build_lead(*, checked: Checked, values: dict, lookups: Lookups, actor, number: int, report) -> list[dict]:
    lead = Lead(name=values["name"], company=values.get("company", ""), email=values.get("email", ""),
                phone=values.get("phone", ""), tax_code=values.get("tax_code", ""), source=values.get("source"),
                campaign=values.get("campaign"), estimated_value=values.get("estimated_value"),
                status=values.get("status") or Lead.Status.NEW, owner_id=values.get("owner") or actor.pk)
    try:
        _clean(lead, LEAD_FKS)
    except ValidationError as error:
        return report(error)
    lead.score, lead.score_explanation = lead_score(lead, lookups.scoring_rules)
    checked.records.append(lead)
    return []


DEAL_FKS = ["party", "contact", "pipeline", "stage", "owner", "team", "campaign", "lead", "lost_reason"]


def _build_deal(*, checked: Checked, values: dict, lookups: Lookups, actor, number: int, report) -> list[dict]:
    if lookups.pipeline is None:
        raise CrmError("no_pipeline", _("Create a pipeline first."))
    stage = values.get("stage") or _first_open_stage(lookups)
    deal = Deal(title=values["title"], pipeline=lookups.pipeline, stage=stage,
                value=values.get("value") if values.get("value") is not None else 0,
                currency=values.get("currency") or "VND", expected_close=values.get("expected_close"),
                owner_id=values.get("owner") or actor.pk,
                closed_at=timezone.now() if stage.kind != Stage.Kind.OPEN else None)
    try:
        _clean(deal, DEAL_FKS)
    except ValidationError as error:
        return report(error)
    checked.records.append(deal)
    checked.deal_party.append(values["party"])
    checked.deal_rows.append(number)
    return []


def _first_open_stage(lookups: Lookups) -> Stage:
    stages = sorted((stage for stage in lookups.stages.values() if stage.kind == Stage.Kind.OPEN),
                    key=lambda stage: (stage.position, stage.pk))
    if not stages:
        raise CrmError("no_open_stage", _("This pipeline has no open stage."))
    return stages[0]


BUILDERS = {Target.PARTIES: _build_party, Target.LEADS: _build_lead, Target.DEALS: _build_deal}


def _as_tax_code(text: str) -> str:
    try:
        return tax_code_normalise(text) if any(char.isdigit() for char in text) else ""
    except CrmError:
        return ""


def _resolve_deal_parties(checked: Checked, column: str, actor) -> list[dict]:
    """Each deal's company: an active party with that tax code, or with that name (accents and case aside);
    a name nobody has becomes a new company (once, however many deals name it); an unknown tax code is an error."""
    texts = checked.deal_party
    codes = {text: _as_tax_code(text) for text in set(texts)}
    by_code = dict(Party.objects.filter(is_active=True, tax_code__in={c for c in codes.values() if c})
                   .order_by("-pk").values_list("tax_code", "pk"))  # the oldest party of a code wins
    names = sorted(text for text, code in codes.items() if not code)
    plain_of = _plain_names(names)
    named = Party.objects.annotate(plain=Unaccent(Lower("name"))).filter(is_active=True,
                                                                         plain__in=set(plain_of.values()))
    by_plain = dict(named.order_by("-pk").values_list("plain", "pk"))  # the oldest party of a name wins
    problems = []
    for position, text in enumerate(texts):
        code = codes[text]
        if code:
            if code not in by_code:
                message = _("No company has the tax code %(code)s.") % {"code": code}
                problems.append(_problem(checked.deal_rows[position], column, message, "party"))
            texts[position] = by_code.get(code)
            continue
        plain = plain_of[text]
        if plain in by_plain:
            texts[position] = by_plain[plain]
        else:
            checked.new_parties.setdefault(plain, Party(
                name=text, kind=Party.Kind.ORGANIZATION, is_customer=True, owner_id=actor.pk, created_by_id=actor.pk))
            texts[position] = plain
    return problems


def _plain_names(names: list[str]) -> dict[str, str]:
    """Name -> the form the party name index uses (public.f_unaccent(lower(...))), in one query."""
    if not names:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT x, public.f_unaccent(lower(x)) FROM unnest(%s::text[]) AS x", [names])
        return dict(cursor.fetchall())


@transaction.atomic
def _write(*, job: ImportJob, checked: Checked, tenant, actor) -> int:
    membership_lock_for_tenant(tenant=tenant)  # serialises every writer that counts contacts
    if ImportJob.objects.select_for_update().filter(pk=job.pk, state=State.DONE).exists():
        return 0  # a duplicate delivery that ran alongside the first: that one wrote the rows
    new_parties = len(checked.records) if job.target == Target.PARTIES else len(checked.new_parties)
    if new_parties:
        limit_check(tenant=tenant, key="contacts", current=Party.objects.filter(is_active=True).count(),
                    adding=new_parties)
    records = checked.records
    if job.target == Target.DEALS:
        _link_deal_parties(checked)
    model = type(records[0])
    for start in range(0, len(records), CHUNK):
        bulk_copy(model, records[start:start + CHUNK])
        cache.set(written_key(job.pk), min(start + CHUNK, len(records)), 3600)
    if checked.addresses:
        for index, address in checked.addresses:
            address.party_id = records[index].pk
        bulk_copy(Address, [address for _index, address in checked.addresses])
    if job.target == Target.DEALS:
        bulk_copy(DealStageChange, [DealStageChange(deal=deal, from_stage=None, to_stage=deal.stage, actor_id=actor.pk)
                                    for deal in records])
    detail = {"target": job.target, "file": job.original_name, "rows": len(records), "created": len(records),
              "parties_created": len(checked.new_parties)}
    audit_record(actor=actor, action="import.done", target=job, detail=detail)
    ImportJob.objects.filter(pk=job.pk).update(state=State.DONE, created_rows=len(records),
                                               processed_rows=len(records), finished_at=timezone.now())
    return len(records)


@transaction.atomic
def _write_kind(*, job: ImportJob, checked: Checked, kind: ImportKind, actor) -> int:
    """A registered kind's write, with the CRM's guard against a duplicate delivery and its audit row."""
    if ImportJob.objects.select_for_update().filter(pk=job.pk, state=State.DONE).exists():
        return 0

    def progress(written: int) -> None:
        cache.set(written_key(job.pk), written, 3600)

    detail = kind.write(job=job, checked=checked, lookups=checked.extra["lookups"], actor=actor, progress=progress)
    created = detail["created"]
    audit_record(actor=actor, action="import.done", target=job,
                 detail={"target": job.target, "file": job.original_name, "rows": len(checked.records), **detail})
    ImportJob.objects.filter(pk=job.pk).update(state=State.DONE, created_rows=created,
                                               processed_rows=len(checked.records), finished_at=timezone.now())
    return created


def _link_deal_parties(checked: Checked) -> None:
    bulk_copy(Party, list(checked.new_parties.values()))
    party_id = {plain: party.pk for plain, party in checked.new_parties.items()}
    for deal, link in zip(checked.records, checked.deal_party, strict=True):
        deal.party_id = link if isinstance(link, int) else party_id[link]
