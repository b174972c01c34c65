"""The CRM's template part: a deal pipeline, lead sources, scoring rules, lost reasons and ticket categories per
business type, and optional sample data.

Applying a type makes its pipeline the default; every existing pipeline, stage, deal and setting stays (the
migration's "Bán hàng" pipeline remains, no longer default). Everything is matched by name, so applying again
creates nothing. Activity kinds (call, meeting, task, note, email) are fixed in the Activity model, so this
part has no activity types to set.

Sample rows are marked: parties carry the tag ``sample``; deals, leads and activities start with
``SAMPLE_PREFIX`` (leads also carry ``SAMPLE_NOTE`` in their notes). Removal deletes only marked rows that no
one else's record points to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from modules.crm.models import (
    Activity,
    Deal,
    DealStageChange,
    Lead,
    LeadSource,
    LostReason,
    Pipeline,
    ScoringRule,
    Stage,
    TicketCategory,
)
from modules.parties.models import Party
from onboarding.registry import sample_part, template_part

SAMPLE_TAG = "sample"
SAMPLE_PREFIX = "[Mẫu] "
SAMPLE_NOTE = "Dữ liệu mẫu: xóa được bất cứ lúc nào từ bảng điều khiển."

OPEN, WON, LOST = Stage.Kind.OPEN, Stage.Kind.WON, Stage.Kind.LOST


@dataclass(frozen=True)
class CrmTemplate:
    pipeline: str
    stages: list[tuple[str, int, str]]  # (name, probability %, kind)
    sources: list[tuple[str, str]]  # (name, code)
    ticket_categories: list[str]
    lost_reasons: list[str] = field(default_factory=list)
    scoring_rules: list[tuple[str, str, str, str, int]] = field(default_factory=list)  # name, field, op, value, pts
    sample_companies: list[str] = field(default_factory=list)
    sample_deals: list[tuple[str, int]] = field(default_factory=list)  # (title, value in đồng)


_CLOSED = [("Thắng", 100, WON), ("Thua", 0, LOST)]

TEMPLATES: dict[str, CrmTemplate] = {
    "sme": CrmTemplate(
        pipeline="Bán hàng doanh nghiệp nhỏ",
        stages=[("Mới", 10, OPEN), ("Đã liên hệ", 20, OPEN), ("Xác định nhu cầu", 40, OPEN), ("Báo giá", 60, OPEN),
                ("Chốt đơn", 80, OPEN), *_CLOSED],
        sources=[("Website", "website"), ("Giới thiệu", "referral"), ("Facebook", "facebook"), ("Zalo", "zalo"),
                 ("Khách ghé cửa hàng", "walk-in"), ("Gọi điện", "cold-call")],
        ticket_categories=["Tư vấn sản phẩm", "Đơn hàng", "Thanh toán", "Khiếu nại", "Khác"],
        lost_reasons=["Giá cao", "Chưa có nhu cầu", "Không liên lạc được"],
        scoring_rules=[("Liên hệ qua Zalo", "source", "equals", "zalo", 5)],
        sample_companies=["Cửa hàng Nội thất An Khang", "Công ty TNHH Thực phẩm Sạch Việt", "Quán cà phê Góc Phố"],
        sample_deals=[("Bộ bàn ghế văn phòng", 45_000_000), ("Cung cấp rau sạch hằng tuần", 18_000_000),
                      ("Máy pha cà phê", 32_000_000)],
    ),
    "manufacturing": CrmTemplate(
        pipeline="Bán hàng sản xuất",
        stages=[("Yêu cầu báo giá", 10, OPEN), ("Khảo sát kỹ thuật", 25, OPEN), ("Báo giá", 40, OPEN),
                ("Mẫu thử", 60, OPEN), ("Đàm phán", 80, OPEN), *_CLOSED],
        sources=[("Hội chợ triển lãm", "trade-fair"), ("Đại lý", "dealer"), ("Giới thiệu", "referral"),
                 ("Website", "website"), ("Đấu thầu", "tender"), ("Gọi điện", "cold-call")],
        ticket_categories=["Chất lượng sản phẩm", "Bảo hành", "Giao hàng", "Kỹ thuật", "Chứng từ & hóa đơn"],
        lost_reasons=["Không đạt yêu cầu kỹ thuật", "Mẫu thử không đạt", "Thời gian giao hàng dài", "Giá cao"],
        scoring_rules=[("Gặp tại hội chợ triển lãm", "source", "equals", "trade-fair", 15),
                       ("Qua đại lý", "source", "equals", "dealer", 10),
                       ("Giá trị dự kiến trên 500 triệu", "estimated_value", "greater", "500000000", 20)],
        sample_companies=["Công ty TNHH Cơ khí Minh Phát", "Công ty CP Nhựa Tân Tiến",
                          "Công ty TNHH Bao bì Hưng Thịnh"],
        sample_deals=[("Khuôn ép nhựa 200 bộ", 380_000_000), ("Linh kiện cơ khí quý III", 250_000_000),
                      ("Thùng carton xuất khẩu", 120_000_000)],
    ),
    "services": CrmTemplate(
        pipeline="Bán hàng dịch vụ",
        stages=[("Tư vấn", 10, OPEN), ("Đánh giá nhu cầu", 25, OPEN), ("Đề xuất", 50, OPEN), ("Đàm phán", 70, OPEN),
                ("Hợp đồng", 90, OPEN), *_CLOSED],
        sources=[("Giới thiệu", "referral"), ("Website", "website"), ("Hội thảo", "seminar"),
                 ("LinkedIn", "linkedin"), ("Facebook", "facebook"), ("Zalo", "zalo")],
        ticket_categories=["Yêu cầu hỗ trợ", "Chất lượng dịch vụ", "Lịch hẹn", "Hợp đồng", "Thanh toán"],
        lost_reasons=["Ngân sách không đủ", "Chọn đối thủ", "Dự án bị hoãn"],
        scoring_rules=[("Đến từ hội thảo", "source", "equals", "seminar", 15)],
        sample_companies=["Công ty CP Du lịch Biển Xanh", "Văn phòng Luật Ánh Dương", "Phòng khám Nha khoa Hòa Bình"],
        sample_deals=[("Hợp đồng tư vấn 12 tháng", 240_000_000), ("Gói bảo trì hệ thống", 60_000_000),
                      ("Đào tạo nhân viên", 35_000_000)],
    ),
    # A pipeline holds deals, not orders: for online shops it is for wholesale (B2B) customers and resellers.
    "ecommerce": CrmTemplate(
        pipeline="Bán sỉ thương mại điện tử",
        stages=[("Liên hệ", 10, OPEN), ("Báo giá sỉ", 30, OPEN), ("Đàm phán chiết khấu", 55, OPEN),
                ("Chốt đơn sỉ", 80, OPEN), *_CLOSED],
        sources=[("Shopee", "shopee"), ("Lazada", "lazada"), ("TikTok Shop", "tiktok-shop"), ("Website", "website"),
                 ("Facebook", "facebook"), ("Zalo", "zalo")],
        ticket_categories=["Đổi trả", "Giao hàng", "Thanh toán", "Sản phẩm lỗi", "Khuyến mãi & mã giảm giá",
                           "Tài khoản"],
        lost_reasons=["Chiết khấu không đủ hấp dẫn", "Số lượng tối thiểu quá cao", "Chọn nhà cung cấp khác"],
        scoring_rules=[("Khách sỉ từ website", "source", "equals", "website", 10),
                       ("Đơn sỉ trên 50 triệu", "estimated_value", "greater", "50000000", 15)],
        sample_companies=["Cửa hàng Mẹ và Bé Thỏ Ngọc", "Đại lý Mỹ phẩm Hoa Sen", "Siêu thị mini Gia Đình"],
        sample_deals=[("Đơn sỉ 500 sản phẩm", 75_000_000), ("Hợp đồng đại lý cấp 2", 150_000_000),
                      ("Đơn sỉ mùa Tết", 90_000_000)],
    ),
    "enterprise": CrmTemplate(
        pipeline="Bán hàng doanh nghiệp lớn",
        stages=[("Tiếp cận", 5, OPEN), ("Xác định nhu cầu", 15, OPEN), ("Trình bày giải pháp", 30, OPEN),
                ("Đề xuất chính thức", 50, OPEN), ("Thẩm định & phê duyệt", 70, OPEN),
                ("Đàm phán hợp đồng", 85, OPEN), *_CLOSED],
        sources=[("Đấu thầu", "tender"), ("Đối tác", "partner"), ("Hội thảo", "seminar"), ("Giới thiệu", "referral"),
                 ("Website", "website"), ("LinkedIn", "linkedin")],
        ticket_categories=["Sự cố hệ thống", "Yêu cầu thay đổi", "Hợp đồng & SLA", "Thanh toán", "Đào tạo"],
        lost_reasons=["Không trúng thầu", "Dự án bị hủy", "Không đáp ứng yêu cầu bảo mật"],
        scoring_rules=[("Mời thầu", "source", "equals", "tender", 25),
                       ("Giá trị dự kiến trên 1 tỷ", "estimated_value", "greater", "1000000000", 25)],
        sample_companies=["Tổng Công ty Vận tải Phương Nam", "Tập đoàn Xây dựng Trường Sơn",
                          "Công ty CP Năng lượng Mặt Trời Việt"],
        sample_deals=[("Triển khai toàn tập đoàn", 2_400_000_000), ("Gói dịch vụ 3 năm", 1_200_000_000),
                      ("Mở rộng cho 5 chi nhánh", 800_000_000)],
    ),
    # "Other" keeps the general pipeline every workspace starts with (modules/crm/migrations/0002_defaults.py).
    "other": CrmTemplate(
        pipeline="Bán hàng",
        stages=[("Mới", 10, OPEN), ("Đủ điều kiện", 25, OPEN), ("Đề xuất", 50, OPEN), ("Đàm phán", 75, OPEN),
                *_CLOSED],
        sources=[("Website", "website"), ("Giới thiệu", "referral"), ("Facebook", "facebook"), ("Zalo", "zalo"),
                 ("Sự kiện", "event"), ("Gọi điện", "cold-call")],
        ticket_categories=["Kỹ thuật", "Thanh toán", "Giao hàng", "Khác"],
        lost_reasons=["Giá cao", "Chọn đối thủ", "Không còn nhu cầu", "Không liên lạc được"],
        sample_companies=["Công ty TNHH Thương mại Phú Quý", "Công ty CP Giải pháp Sao Mai", "Hộ kinh doanh Bình An"],
        sample_deals=[("Hợp đồng cung cấp năm 2026", 150_000_000), ("Đơn hàng thử nghiệm", 20_000_000),
                      ("Gia hạn hợp đồng", 60_000_000)],
    ),
}

SAMPLE_PEOPLE = [("Nguyễn Thị Lan", "Trưởng phòng mua hàng"), ("Trần Văn Minh", "Giám đốc")]
SAMPLE_LEADS = [("Lê Hoàng Nam", "Công ty TNHH Hoàng Nam", 80_000_000), ("Phạm Thu Hà", "Cửa hàng Thu Hà", 15_000_000)]


@template_part("crm", feature="crm.pipeline")
def crm_template_apply(*, business_type: str, sample_data: bool) -> None:
    template = TEMPLATES[business_type]
    pipeline = _pipeline_make_default(template)
    for name, code in template.sources:
        if not LeadSource.objects.filter(Q(name__iexact=name) | Q(code=code)).exists():
            LeadSource.objects.create(name=name, code=code)
    for name in template.ticket_categories:
        TicketCategory.objects.get_or_create(name=name)
    for name in template.lost_reasons:
        LostReason.objects.get_or_create(name=name)
    position = ScoringRule.objects.count()
    for offset, (name, rule_field, operator, value, points) in enumerate(template.scoring_rules):
        ScoringRule.objects.get_or_create(name=name, defaults={
            "field": rule_field, "operator": operator, "value": value, "points": points, "position": position + offset})
    if sample_data:
        _sample_create(template=template, pipeline=pipeline)


def _pipeline_make_default(template: CrmTemplate) -> Pipeline:
    """The type's pipeline (made with its stages if missing) becomes the default; the others only lose the flag."""
    pipeline = Pipeline.objects.filter(name=template.pipeline).order_by("pk").first()
    if pipeline is None:
        pipeline = _unused_starting_pipeline()
        if pipeline is not None:
            # A fresh workspace's starting pipeline, still without deals, becomes the type's: no second
            # pipeline appears (Starter allows one), and nothing a person made is touched.
            pipeline.stages.all().delete()
            pipeline.name = template.pipeline
            pipeline.save(update_fields=["name"])
        else:
            pipeline = Pipeline.objects.create(name=template.pipeline, position=Pipeline.objects.count())
        for position, (name, probability, kind) in enumerate(template.stages):
            Stage.objects.get_or_create(pipeline=pipeline, name=name,
                                        defaults={"position": position, "probability": probability, "kind": kind})
    Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk).update(is_default=False)
    if not pipeline.is_default:
        pipeline.is_default = True
        pipeline.save(update_fields=["is_default"])
    return pipeline


STARTING_PIPELINE = "Bán hàng"  # made for every workspace by modules/crm/migrations/0002_defaults.py


def _unused_starting_pipeline() -> Pipeline | None:
    """The pipeline every workspace starts with, if it is still the only one and holds no deal."""
    pipelines = list(Pipeline.objects.all()[:2])
    if len(pipelines) == 1 and pipelines[0].name == STARTING_PIPELINE and not pipelines[0].deals.exists():
        return pipelines[0]
    return None


# --- sample data -------------------------------------------------------------------------------------------------

def sample_parties() -> QuerySet[Party]:
    return Party.objects.filter(tags__contains=[SAMPLE_TAG])


def sample_deals() -> QuerySet[Deal]:
    return Deal.objects.filter(title__startswith=SAMPLE_PREFIX, party__tags__contains=[SAMPLE_TAG])


def sample_leads() -> QuerySet[Lead]:
    return Lead.objects.filter(name__startswith=SAMPLE_PREFIX, notes__startswith=SAMPLE_NOTE)


def sample_activities() -> QuerySet[Activity]:
    return Activity.objects.filter(subject__startswith=SAMPLE_PREFIX).filter(
        Q(party__tags__contains=[SAMPLE_TAG]) | Q(deal__in=sample_deals()) | Q(lead__in=sample_leads()))


def _sample_create(*, template: CrmTemplate, pipeline: Pipeline) -> None:
    now = timezone.now()
    open_stages = list(pipeline.stages.filter(kind=OPEN).order_by("position", "pk"))
    companies = [
        Party.objects.get_or_create(name=SAMPLE_PREFIX + name, tags__contains=[SAMPLE_TAG], defaults={
            "kind": Party.Kind.ORGANIZATION, "is_customer": True, "tags": [SAMPLE_TAG], "notes": SAMPLE_NOTE})[0]
        for name in template.sample_companies
    ]
    for (name, job_title), company in zip(SAMPLE_PEOPLE, companies, strict=False):
        Party.objects.get_or_create(name=SAMPLE_PREFIX + name, tags__contains=[SAMPLE_TAG], defaults={
            "kind": Party.Kind.PERSON, "organization": company, "job_title": job_title, "tags": [SAMPLE_TAG],
            "notes": SAMPLE_NOTE})
    deals = []
    for index, ((title, value), company) in enumerate(zip(template.sample_deals, companies, strict=False)):
        stage = open_stages[min(index, len(open_stages) - 1)]
        deal, created = Deal.objects.get_or_create(title=SAMPLE_PREFIX + title, party=company, defaults={
            "pipeline": pipeline, "stage": stage, "value": Decimal(value),
            "expected_close": (now + timedelta(days=30 * (index + 1))).date()})
        if created:
            DealStageChange.objects.create(deal=deal, from_stage=None, to_stage=stage)
        deals.append(deal)
    source = LeadSource.objects.filter(code=template.sources[0][1]).first()
    leads = [
        Lead.objects.get_or_create(name=SAMPLE_PREFIX + name, notes=SAMPLE_NOTE, defaults={
            "company": company_name, "source": source, "estimated_value": Decimal(value)})[0]
        for name, company_name, value in SAMPLE_LEADS
    ]
    planned = [
        (Activity.Kind.CALL, "Gọi xác nhận nhu cầu", {"deal": deals[0], "party": deals[0].party}, 1),
        (Activity.Kind.MEETING, "Hẹn gặp trình bày", {"deal": deals[1], "party": deals[1].party}, 3),
        (Activity.Kind.TASK, "Gửi báo giá", {"lead": leads[0]}, 2),
    ]
    for kind, subject, links, days in planned:
        Activity.objects.get_or_create(subject=SAMPLE_PREFIX + subject, kind=kind, **links,
                                       defaults={"due_at": now + timedelta(days=days), "body": SAMPLE_NOTE})


def _unreferenced(queryset: QuerySet, *, own: tuple[type[Model], ...] = ()) -> QuerySet:
    """Rows no other record points to (rows of ``own`` models belong to the record and go with it).

    Checked over every reverse relation, hidden ones too, so records added later (orders, invoices...) that
    point to a sample row keep it.
    """
    model = queryset.model
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        if relation.related_model in own:
            continue
        references = relation.related_model._default_manager.filter(**{relation.field.name: OuterRef("pk")})
        if relation.related_model is Party:
            references = references.exclude(tags__contains=[SAMPLE_TAG])
        queryset = queryset.exclude(Exists(references))
    return queryset


def _delete(queryset: QuerySet) -> int:
    pks = list(queryset.values_list("pk", flat=True))
    queryset.model._default_manager.filter(pk__in=pks).delete()
    return len(pks)


@sample_part("crm")
def crm_sample_remove() -> dict[str, int]:
    """Activities first, then deals and leads, then parties: each only if nothing else points to it by then."""
    from modules.crm.models import DealLine
    from modules.parties.models import Address

    return {
        "activities": _delete(_unreferenced(sample_activities())),
        "deals": _delete(_unreferenced(sample_deals(), own=(DealLine, DealStageChange))),
        "leads": _delete(_unreferenced(sample_leads())),
        "parties": _delete(_unreferenced(sample_parties(), own=(Address,))),
    }
