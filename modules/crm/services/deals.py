"""Pipelines and deals: moving across stages, winning and losing, line items, the stage history."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.entitlements import entitlements_for, feature_blocked_error, limit_check
from modules.crm.audit import audit_change, snapshot
from modules.crm.errors import CrmError
from modules.crm.models import Deal, DealLine, DealStageChange, LostReason, Pipeline, Stage
from modules.events.services import outbox_emit

DEAL_FIELDS = ["title", "party", "contact", "pipeline", "stage", "value", "currency", "expected_close", "owner",
               "team", "campaign", "lost_reason", "lost_note", "closed_at"]


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.order_by("position", "pk").first()
    if pipeline is None:
        raise CrmError("no_pipeline", _("Create a pipeline first."))
    return pipeline


def _first_open_stage(pipeline: Pipeline) -> Stage:
    stage = pipeline.stages.filter(kind=Stage.Kind.OPEN).order_by("position", "pk").first()
    if stage is None:
        raise CrmError("no_open_stage", _("This pipeline has no open stage."))
    return stage


def _record_move(deal: Deal, from_stage: Stage | None, actor) -> None:
    DealStageChange.objects.create(deal=deal, from_stage=from_stage, to_stage=deal.stage,
                                   actor_id=getattr(actor, "pk", None))


@transaction.atomic
def deal_create(*, actor, party, title: str, pipeline: Pipeline | None = None, stage: Stage | None = None,
                lines: list[dict] | None = None, **fields) -> Deal:
    pipeline = pipeline or default_pipeline()
    stage = stage or _first_open_stage(pipeline)
    if stage.pipeline_id != pipeline.pk:
        raise CrmError("stage_other_pipeline", _("This stage belongs to another pipeline."), field="stage")
    fields.setdefault("owner_id", actor.pk)
    position = (Deal.objects.filter(stage=stage).aggregate(top=Max("position"))["top"] or 0) + 1
    deal = Deal(party=party, title=title, pipeline=pipeline, stage=stage, position=position, **fields)
    if stage.kind != Stage.Kind.OPEN:
        deal.closed_at = timezone.now()
    deal.full_clean()
    deal.save()
    if lines:
        _replace_lines(deal, lines)
    _record_move(deal, None, actor)
    audit_change(actor=actor, action="deal.created", target=deal, before=None, after=snapshot(deal, DEAL_FIELDS))
    return deal


@transaction.atomic
def deal_update(*, deal: Deal, actor, **fields) -> Deal:
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    before = snapshot(deal, DEAL_FIELDS)
    for name, value in fields.items():
        setattr(deal, name, value)
    if deal.stage.pipeline_id != deal.pipeline_id:
        raise CrmError("stage_other_pipeline", _("This stage belongs to another pipeline."), field="stage")
    deal.full_clean()
    deal.save()
    audit_change(actor=actor, action="deal.updated", target=deal, before=before, after=snapshot(deal, DEAL_FIELDS))
    return deal


def _line_price(deal: Deal, product, quantity: Decimal) -> Decimal:
    from modules.erp.catalog.selectors import price_for
    from modules.erp.errors import ErpError

    try:
        return price_for(product=product, party=deal.party, quantity=quantity, currency=deal.currency)
    except ErpError as error:
        raise CrmError(error.code, error.message, field="unit_price") from error


def _replace_lines(deal: Deal, lines: list[dict]) -> None:
    """A line with a catalog ``product`` takes the product's name and its price for the deal's party (price list,
    quantity break, the deal's currency) unless the line gives its own; a line without one is a free description."""
    deal.lines.all().delete()
    objects = []
    for index, line in enumerate(lines):
        product = line.get("product")
        quantity = Decimal(str(line["quantity"])) if line.get("quantity") is not None else Decimal(1)
        description = line.get("description") or (product.name if product is not None else "")
        unit_price = line.get("unit_price")
        if unit_price is None and product is not None:
            unit_price = _line_price(deal, product, quantity)
        if unit_price is None:
            raise CrmError("unit_price_required", _("Give the unit price."), field="unit_price")
        objects.append(DealLine(deal=deal, position=index, product=product, description=description,
                                quantity=quantity, unit_price=Decimal(str(unit_price))))
    for line in objects:
        line.full_clean(exclude=["deal"])
    DealLine.objects.bulk_create(objects)
    deal.value = sum((line.quantity * line.unit_price for line in objects), Decimal(0)).quantize(Decimal("0.01"))
    deal.save(update_fields=["value", "updated_at"])


@transaction.atomic
def deal_set_lines(*, deal: Deal, lines: list[dict], actor) -> Deal:
    """Replace the line items; the deal's value becomes their total."""
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    before = snapshot(deal, DEAL_FIELDS)
    _replace_lines(deal, lines)
    audit_change(actor=actor, action="deal.lines_changed", target=deal, before=before,
                 after=snapshot(deal, DEAL_FIELDS))
    return deal


@transaction.atomic
def deal_move(*, deal: Deal, stage: Stage, actor, position: int | None = None, lost_reason: LostReason | None = None,
              lost_note: str = "") -> Deal:
    """Move a deal to a stage (and a place in its column). Won and lost stages close it; a lost deal
    needs a reason; moving back to an open stage reopens it. Every move is kept in the history.

    Moving into the won stage (from an open or lost one) emits ``deal.won``; the ERP turns it into a quotation
    (at most one per deal, however often the deal is won again)."""
    deal = Deal.objects.select_for_update(of=("self",)).select_related("stage").get(pk=deal.pk)
    if stage.pipeline_id != deal.pipeline_id:
        raise CrmError("stage_other_pipeline", _("This stage belongs to another pipeline."), field="stage")
    if stage.kind == Stage.Kind.LOST and lost_reason is None:
        raise CrmError("lost_reason_required", _("Say why the deal was lost."), field="lost_reason")
    before, from_stage = snapshot(deal, DEAL_FIELDS), deal.stage
    if position is not None:
        # Make room in the target column; positions are only an order, gaps are fine.
        Deal.objects.filter(stage=stage, position__gte=position).exclude(pk=deal.pk).update(position=F("position") + 1)
        deal.position = position
    elif stage.pk != from_stage.pk:
        deal.position = (Deal.objects.filter(stage=stage).aggregate(top=Max("position"))["top"] or 0) + 1
    deal.stage = stage
    if stage.kind == Stage.Kind.OPEN:
        deal.closed_at, deal.lost_reason, deal.lost_note = None, None, ""
    else:
        deal.closed_at = deal.closed_at if from_stage.kind == stage.kind and deal.closed_at else timezone.now()
        deal.lost_reason = lost_reason if stage.kind == Stage.Kind.LOST else None
        deal.lost_note = lost_note if stage.kind == Stage.Kind.LOST else ""
    deal.save(update_fields=["stage", "position", "closed_at", "lost_reason", "lost_note", "updated_at"])
    if stage.kind == Stage.Kind.WON and from_stage.kind != Stage.Kind.WON:
        # Written in this transaction: the ERP hears of the win iff it commits (see modules.erp.sales.events).
        outbox_emit(topic="deal.won", payload={"deal_id": deal.pk})
    if stage.pk != from_stage.pk:
        _record_move(deal, from_stage, actor)
        action = {"won": "deal.won", "lost": "deal.lost"}.get(stage.kind, "deal.moved")
        audit_change(actor=actor, action=action, target=deal, before=before, after=snapshot(deal, DEAL_FIELDS))
    return deal


def deal_mark_won(*, deal: Deal, actor) -> Deal:
    return deal_move(deal=deal, stage=deal.pipeline.stages.get(kind=Stage.Kind.WON), actor=actor)


def deal_mark_lost(*, deal: Deal, actor, reason: LostReason, note: str = "") -> Deal:
    return deal_move(deal=deal, stage=deal.pipeline.stages.get(kind=Stage.Kind.LOST), actor=actor,
                     lost_reason=reason, lost_note=note)


@transaction.atomic
def deal_delete(*, deal: Deal, actor) -> None:
    before = snapshot(deal, DEAL_FIELDS)
    audit_change(actor=actor, action="deal.deleted", target=deal, before=before, after=None)
    deal.delete()


@transaction.atomic
def pipeline_create(*, actor, tenant, name: str, stages: list[tuple[str, int]]) -> Pipeline:
    """A new pipeline with its open stages (won and lost are added). A second pipeline is a Growth
    feature, and the plan's pipeline limit is checked here, inside the transaction."""
    from tenants.locks import membership_lock_for_tenant

    membership_lock_for_tenant(tenant=tenant)  # serialise pipeline creation per workspace
    current = Pipeline.objects.count()
    if current >= 1 and not entitlements_for(tenant).allows("crm.pipelines_multi"):
        raise feature_blocked_error("crm.pipelines_multi")
    limit_check(tenant=tenant, key="pipelines", current=current)
    if not name.strip() or not stages:
        raise CrmError("pipeline_invalid", _("Give the pipeline a name and at least one stage."), field="name")
    pipeline = Pipeline.objects.create(name=name.strip(), position=current)
    for position, (stage_name, probability) in enumerate(stages):
        Stage.objects.create(pipeline=pipeline, name=stage_name, probability=probability, position=position)
    Stage.objects.create(pipeline=pipeline, name=_("Won"), probability=100, kind=Stage.Kind.WON,
                         position=len(stages))
    Stage.objects.create(pipeline=pipeline, name=_("Lost"), probability=0, kind=Stage.Kind.LOST,
                         position=len(stages) + 1)
    audit_change(actor=actor, action="pipeline.created", target=pipeline, before=None, after=snapshot(pipeline))
    return pipeline


@transaction.atomic
def pipeline_update_stages(*, pipeline: Pipeline, actor, stages: list[dict]) -> Pipeline:
    """Rename, re-weigh, reorder, add and remove open stages (won and lost stay last).

    ``stages`` lists the open stages in their new order: {"stage_id": id or None, "name", "probability",
    "remove"}. A stage that still holds deals cannot be removed.
    """
    pipeline = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
    existing = {stage.pk: stage for stage in pipeline.stages.filter(kind=Stage.Kind.OPEN)}
    before = {"stages": [(stage.name, stage.probability) for stage in existing.values()]}
    kept = []
    for row in stages:
        stage = existing.get(row.get("stage_id"))
        if row.get("remove"):
            if stage is not None and stage.deals.exists():
                raise CrmError("stage_has_deals", _("“%(name)s” still has deals: move them first.") % {
                    "name": stage.name})
            if stage is not None:
                stage.delete()
            continue
        if not row.get("name"):
            continue
        stage = stage or Stage(pipeline=pipeline, kind=Stage.Kind.OPEN)
        stage.name, stage.probability = row["name"], row.get("probability") or 0
        kept.append(stage)
    if not kept:
        raise CrmError("pipeline_needs_stage", _("A pipeline needs at least one open stage."))
    for position, stage in enumerate(kept):
        stage.position = position
        stage.full_clean()
        stage.save()
    for offset, stage in enumerate(pipeline.stages.exclude(kind=Stage.Kind.OPEN).order_by("position")):
        stage.position = len(kept) + offset
        stage.save(update_fields=["position"])
    from modules.audit.services import audit_record

    audit_record(actor=actor, action="pipeline.stages_changed", target=pipeline,
                 detail={"changes": {"stages": [before["stages"], [(s.name, s.probability) for s in kept]]}})
    return pipeline
