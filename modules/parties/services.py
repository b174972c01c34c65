"""Writes to the party master: create, update, archive, addresses, and merging duplicates.

Every write validates (tax code, phone, email, then ``full_clean``), saves, and records an audit row with
before -> after, inside one transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, UniqueConstraint
from django.utils.translation import gettext as _

from billing.entitlements import limit_check
from billing.errors import BillingError
from modules.crm.audit import audit_change, snapshot
from modules.crm.errors import CrmError
from modules.parties.models import Address, Party
from modules.parties.selectors import party_links
from modules.parties.validation import email_normalise, phone_normalise, tax_code_normalise

EDITABLE_FIELDS = (
    "kind", "name", "is_customer", "is_supplier", "is_prospect", "tax_code", "email", "phone", "website", "tags",
    "organization", "job_title", "notes", "owner",
)
ADDRESS_FIELDS = ("kind", "street", "ward", "province", "country", "is_primary")
# Fields a merge never copies from the party merged away (identity, roles and tags have their own rules).
_NOT_FILLED = {"id", "kind", "name", "is_customer", "is_supplier", "is_prospect", "tags", "is_active", "merged_into",
               "created_by", "created_at", "updated_at"}


# --- row locks ------------------------------------------------------------------------------------------------

def parties_lock(*pks: int) -> dict[int, Party]:
    """Lock parties in pk order (every caller does, so two merges cannot deadlock) and return them fresh."""
    locked = Party.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {party.pk: party for party in locked}


def party_lock(party: Party) -> Party:
    return parties_lock(party.pk)[party.pk]


# --- validation -----------------------------------------------------------------------------------------------

def _clean_fields(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable on a party: {', '.join(sorted(unknown))}")
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = " ".join((cleaned["name"] or "").split())
    if "tax_code" in cleaned:
        cleaned["tax_code"] = tax_code_normalise(cleaned["tax_code"])
    if "phone" in cleaned:
        cleaned["phone"] = phone_normalise(cleaned["phone"])
    if "email" in cleaned:
        cleaned["email"] = email_normalise(cleaned["email"])
    if "tags" in cleaned:
        cleaned["tags"] = tags_normalise(cleaned["tags"])
    for text in ("website", "job_title", "notes"):
        if text in cleaned:
            cleaned[text] = (cleaned[text] or "").strip()
    return cleaned


def tags_normalise(tags) -> list[str]:
    """A list of distinct tags in the order given; accepts a list or a comma-separated string."""
    if isinstance(tags, str):
        tags = tags.split(",")
    result = []
    for tag in tags or []:
        tag = " ".join(str(tag).split())[:50]
        if tag and tag.lower() not in {existing.lower() for existing in result}:
            result.append(tag)
    return result


def _full_clean(instance, exclude: list[str] | None = None) -> None:
    """``full_clean`` with the first problem turned into a CrmError on its field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise CrmError("invalid", messages[0], field=None if field == "__all__" else field) from error


def _check_organization(party: Party) -> None:
    organization = party.organization
    if organization is None:
        return
    if party.kind != Party.Kind.PERSON:
        raise CrmError("organization_for_person_only", _("Only a person can belong to a company."),
                       field="organization")
    if organization.kind != Party.Kind.ORGANIZATION or not organization.is_active:
        raise CrmError("invalid_organization", _("Choose an active company."), field="organization")


def _contacts_check(adding: int = 1) -> None:
    """The plan's contact limit, counted under the workspace row lock so concurrent creates cannot pass it."""
    from tenants.models import Tenant

    tenant = Tenant.objects.select_for_update().get(pk=connection.tenant.pk)
    try:
        limit_check(tenant=tenant, key="contacts", current=Party.objects.filter(is_active=True).count(),
                    adding=adding)
    except BillingError as error:
        raise CrmError("contact_limit", error.message) from error


# --- parties --------------------------------------------------------------------------------------------------

@transaction.atomic
def party_create(*, actor, **fields) -> Party:
    """A new company or person. The owner defaults to the actor."""
    cleaned = _clean_fields(fields)
    if cleaned.get("owner") is None:
        cleaned["owner"] = actor
    party = Party(**cleaned, created_by=actor)
    _check_organization(party)
    _full_clean(party)
    _contacts_check()
    party.save()
    audit_change(actor=actor, action="party.created", target=party, before=None, after=snapshot(party))
    return party


@transaction.atomic
def party_update(*, party: Party, actor, **fields) -> Party:
    cleaned = _clean_fields(fields)
    party = party_lock(party)
    if party.merged_into_id:
        raise CrmError("party_merged", _("This record was merged into another one; edit that one instead."))
    if cleaned.get("organization") is not None and cleaned["organization"].pk == party.pk:
        raise CrmError("invalid_organization", _("A record cannot belong to itself."), field="organization")
    if cleaned.get("kind") == Party.Kind.PERSON and party.kind != Party.Kind.PERSON and party.people.exists():
        raise CrmError("has_people", _("People work at this company; it cannot become a person."), field="kind")
    before = snapshot(party)
    for name, value in cleaned.items():
        setattr(party, name, value)
    _check_organization(party)
    _full_clean(party)
    after = snapshot(party)
    changed = [field.name for field in Party._meta.concrete_fields if before[field.attname] != after[field.attname]]
    if changed:
        party.save(update_fields=[*changed, "updated_at"])
    audit_change(actor=actor, action="party.updated", target=party, before=before, after=after)
    return party


@transaction.atomic
def party_archive(*, party: Party, actor) -> Party:
    """Hide a party from lists and pickers; its history and links stay."""
    party = party_lock(party)
    if not party.is_active:
        return party
    before = snapshot(party)
    party.is_active = False
    party.save(update_fields=["is_active", "updated_at"])
    audit_change(actor=actor, action="party.archived", target=party, before=before, after=snapshot(party))
    return party


@transaction.atomic
def party_restore(*, party: Party, actor) -> Party:
    party = party_lock(party)
    if party.merged_into_id:
        raise CrmError("party_merged", _("A merged record cannot be restored."))
    if party.is_active:
        return party
    _contacts_check()
    before = snapshot(party)
    party.is_active = True
    party.save(update_fields=["is_active", "updated_at"])
    audit_change(actor=actor, action="party.restored", target=party, before=before, after=snapshot(party))
    return party


# --- addresses ------------------------------------------------------------------------------------------------

@transaction.atomic
def address_add(*, party: Party, actor, **fields) -> Address:
    """Add an address; a primary one takes over from the party's previous primary address."""
    unknown = set(fields) - set(ADDRESS_FIELDS)
    if unknown:
        raise TypeError(f"not editable on an address: {', '.join(sorted(unknown))}")
    party = party_lock(party)
    cleaned = {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}
    is_first = not party.addresses.exists()
    address = Address(party=party, **cleaned)
    address.is_primary = bool(address.is_primary or is_first)
    _full_clean(address)
    if address.is_primary:
        party.addresses.filter(is_primary=True).update(is_primary=False)
    address.save()
    audit_change(actor=actor, action="party.address_added", target=party, before=None,
                 after={"address": str(address), **snapshot(address)})
    return address


@transaction.atomic
def address_remove(*, address: Address, actor) -> None:
    party = party_lock(address.party)
    before = {"address": str(address), **snapshot(address)}
    was_primary = address.is_primary
    address.delete()
    if was_primary:
        successor = party.addresses.order_by("pk").first()
        if successor is not None:
            successor.is_primary = True
            successor.save(update_fields=["is_primary"])
    audit_change(actor=actor, action="party.address_removed", target=party, before=before, after=None)


# --- merging --------------------------------------------------------------------------------------------------

def merge_fills(*, keep: Party, lose: Party) -> dict:
    """Fields that ``keep`` has blank and ``lose`` has filled: {field name: lose's value}."""
    fills = {}
    for field in Party._meta.concrete_fields:
        if field.name in _NOT_FILLED:
            continue
        ours, theirs = getattr(keep, field.attname), getattr(lose, field.attname)
        if ours in ("", None) and theirs not in ("", None):
            if field.name == "organization" and theirs == keep.pk:
                continue
            fills[field.name] = getattr(lose, field.name)
    return fills


def _unique_sets(model, field_name: str) -> list[tuple[str, ...]]:
    """The unconditional unique field sets of ``model`` that include ``field_name``."""
    meta = model._meta
    sets = [tuple(names) for names in meta.unique_together]
    sets += [tuple(constraint.fields) for constraint in meta.constraints
             if isinstance(constraint, UniqueConstraint) and constraint.fields and constraint.condition is None]
    if meta.get_field(field_name).unique:
        sets.append((field_name,))
    return [names for names in sets if field_name in names]


def _move_links(*, keep: Party, lose: Party) -> dict[str, int]:
    """Point every row that references ``lose`` at ``keep``; returns {model.field: rows moved}."""
    moved = {}
    if keep.addresses.filter(is_primary=True).exists():
        lose.addresses.filter(is_primary=True).update(is_primary=False)
    for relation in party_links():
        model, name = relation.related_model, relation.field.name
        rows = model._base_manager.filter(**{name: lose})
        for unique in _unique_sets(model, name):
            others = [other for other in unique if other != name]
            clashing = rows.filter(Exists(model._base_manager.filter(
                **{name: keep}, **{other: OuterRef(other) for other in others})))
            if not clashing.exists():
                continue
            if not model._meta.auto_created:
                raise CrmError("merge_conflict", _("Both records have a %(what)s that can exist only once per "
                                                   "record; resolve it before merging.")
                               % {"what": model._meta.verbose_name})
            clashing.delete()  # a many-to-many link both parties already share
        count = rows.update(**{name: keep})
        if count:
            moved[f"{model._meta.label_lower}.{name}"] = count
    return moved


@transaction.atomic
def party_merge(*, keep: Party, lose: Party, actor) -> Party:
    """Merge the duplicate ``lose`` into ``keep``: every record that points at ``lose`` (CRM and ERP alike) moves
    to ``keep``; ``keep`` takes over the fields it has blank, the roles and the tags; ``lose`` stays as an inactive
    record with ``merged_into = keep`` so old links and the audit history still resolve."""
    if keep.pk == lose.pk:
        raise CrmError("merge_same", _("A record cannot be merged into itself."))
    locked = parties_lock(keep.pk, lose.pk)
    keep, lose = locked[keep.pk], locked[lose.pk]
    if keep.merged_into_id or lose.merged_into_id:
        raise CrmError("party_merged", _("One of these records was already merged."))
    if keep.kind != lose.kind:
        raise CrmError("merge_kind_mismatch", _("A company and a person cannot be merged."))
    keep_before, lose_before = snapshot(keep), snapshot(lose)
    fills = merge_fills(keep=keep, lose=lose)

    moved = _move_links(keep=keep, lose=lose)

    # The bulk moves may have rewritten these rows (a person's organization, earlier merges): read them again.
    keep.refresh_from_db()
    lose.refresh_from_db()
    for name, value in fills.items():
        setattr(keep, name, value)
    if keep.organization_id in (keep.pk, lose.pk):
        keep.organization = None
    keep.is_customer |= lose.is_customer
    keep.is_supplier |= lose.is_supplier
    keep.is_prospect |= lose.is_prospect
    keep.tags = tags_normalise([*keep.tags, *lose.tags])
    _full_clean(keep)
    keep.save()
    lose.is_active = False
    lose.merged_into = keep
    lose.save(update_fields=["is_active", "merged_into", "updated_at"])

    audit_change(actor=actor, action="party.merged", target=keep, before=keep_before,
                 after={**snapshot(keep), "merged_from": lose.pk, "moved": moved})
    audit_change(actor=actor, action="party.merged_away", target=lose, before=lose_before,
                 after=snapshot(lose))
    return keep
