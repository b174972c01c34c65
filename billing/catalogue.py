"""The one declarative default of tiers, features and limits (PRODUCT.md, the seed's table 4.6).

Plans are database rows seeded from here (``plans_sync_from_catalogue``); vendor staff edit
prices, limits and features in the console without a deploy, and a re-sync never overwrites
their edits. Every feature key any module checks is declared in FEATURES, once.
Each tier contains everything in the tier before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Feature:
    key: str
    module: str
    label_vi: str
    label_en: str


@dataclass(frozen=True)
class Tier:
    code: str
    rank: int
    name_vi: str
    name_en: str
    stage_vi: str  # the seed's table 4.6 wording
    new_features: tuple[str, ...]
    limits: dict[str, int | None]
    price_vnd_month: Decimal
    price_usd_month: Decimal
    trial_days: int = 14
    features: frozenset[str] = field(default=frozenset())


def _f(key: str, label_vi: str, label_en: str) -> Feature:
    return Feature(key=key, module=key.split(".", 1)[0], label_vi=label_vi, label_en=label_en)


FEATURES: dict[str, Feature] = {
    feature.key: feature
    for feature in [
        # Starter: "CRM đơn giản"
        _f("crm.contacts", "Công ty & liên hệ", "Companies & contacts"),
        _f("crm.leads", "Khách hàng tiềm năng", "Leads"),
        _f("crm.pipeline", "Quy trình bán hàng (kanban)", "Deal pipeline (kanban)"),
        _f("crm.activities", "Hoạt động & nhắc việc", "Activities & reminders"),
        _f("crm.notes", "Ghi chú", "Notes"),
        _f("crm.import_export", "Nhập/xuất CSV", "CSV import/export"),
        _f("crm.dashboard", "Bảng điều khiển cơ bản", "Basic dashboard"),
        # Growth: "CRM nâng cao + ERP cơ bản"
        _f("crm.pipelines_multi", "Nhiều quy trình bán hàng", "Several pipelines"),
        _f("crm.lead_scoring", "Chấm điểm khách hàng tiềm năng", "Lead scoring"),
        _f("crm.campaigns", "Chiến dịch marketing & ROI", "Marketing campaigns & ROI"),
        _f("crm.tickets", "Phiếu hỗ trợ & SLA", "Support tickets & SLA"),
        _f("crm.forecasting", "Dự báo doanh số", "Sales forecasting"),
        _f("crm.teams", "Đội bán hàng & chỉ tiêu", "Sales teams & quotas"),
        _f("crm.segments", "Phân khúc khách hàng (RFM)", "Customer segments (RFM)"),
        _f("erp.catalog", "Sản phẩm & bảng giá", "Products & price lists"),
        _f("erp.sales", "Báo giá & đơn bán hàng", "Quotations & sales orders"),
        _f("erp.invoicing", "Hóa đơn & thanh toán", "Customer invoices & payments"),
        _f("erp.inventory", "Tồn kho (một kho)", "Stock (one warehouse)"),
        # Scale: "Tích hợp ERP-CRM"
        _f("crm.customer_360", "Khách hàng 360°", "Customer 360"),
        _f("crm.commissions", "Hoa hồng", "Commissions"),
        _f("erp.crm_flow", "Luồng CRM→ERP tự động", "Automated CRM→ERP flow"),
        _f("erp.purchasing", "Mua hàng & nhà cung cấp", "Purchasing & suppliers"),
        _f("erp.warehouses_multi", "Nhiều kho & định mức tồn", "Several warehouses & reorder rules"),
        _f("erp.accounting", "Kế toán kép", "Double-entry accounting"),
        _f("erp.vat", "Thuế GTGT", "VAT"),
        _f("erp.financial_statements", "Báo cáo tài chính", "Financial statements"),
        _f("erp.aging", "Tuổi nợ phải thu/phải trả", "AR/AP aging"),
        _f("erp.manufacturing", "Định mức & lệnh sản xuất", "Bills of materials & work orders"),
        _f("platform.api", "REST API & webhook", "REST API & webhooks"),
        # Enterprise: "ERP-CRM toàn diện"
        _f("erp.mrp", "Hoạch định sản xuất (MRP)", "Production planning (MRP)"),
        _f("erp.lots_serials", "Truy xuất lô/số sê-ri", "Lot/serial traceability"),
        _f("erp.assets", "Tài sản cố định & khấu hao", "Fixed assets & depreciation"),
        _f("erp.projects", "Dự án & chấm công", "Projects & timesheets"),
        _f("erp.hr", "Nhân sự", "HR"),
        _f("erp.branches", "Nhiều chi nhánh", "Several branches"),
        _f("platform.audit_export", "Xuất nhật ký kiểm tra", "Audit-log export"),
        _f("platform.sso", "Đăng nhập một lần (SSO)", "Single sign-on (SSO)"),
    ]
}

UNLIMITED = None
LIMIT_KEYS = ("seats", "contacts", "pipelines", "warehouses")

_TIERS = [
    Tier(
        code="starter", rank=0, name_vi="Khởi nghiệp", name_en="Starter", stage_vi="CRM đơn giản",
        new_features=("crm.contacts", "crm.leads", "crm.pipeline", "crm.activities", "crm.notes",
                      "crm.import_export", "crm.dashboard"),
        limits={"seats": 3, "contacts": 2_000, "pipelines": 1, "warehouses": 0},
        price_vnd_month=Decimal(0), price_usd_month=Decimal(0), trial_days=0,
    ),
    Tier(
        code="growth", rank=1, name_vi="Tăng trưởng", name_en="Growth", stage_vi="CRM nâng cao + ERP cơ bản",
        new_features=("crm.pipelines_multi", "crm.lead_scoring", "crm.campaigns", "crm.tickets", "crm.forecasting",
                      "crm.teams", "crm.segments", "erp.catalog", "erp.sales", "erp.invoicing", "erp.inventory"),
        limits={"seats": 15, "contacts": 50_000, "pipelines": UNLIMITED, "warehouses": 1},
        price_vnd_month=Decimal(1_490_000), price_usd_month=Decimal("59.00"),
    ),
    Tier(
        code="scale", rank=2, name_vi="Mở rộng", name_en="Scale", stage_vi="Tích hợp ERP-CRM",
        new_features=("crm.customer_360", "crm.commissions", "erp.crm_flow", "erp.purchasing",
                      "erp.warehouses_multi", "erp.accounting", "erp.vat", "erp.financial_statements", "erp.aging",
                      "erp.manufacturing", "platform.api"),
        limits={"seats": 50, "contacts": UNLIMITED, "pipelines": UNLIMITED, "warehouses": UNLIMITED},
        price_vnd_month=Decimal(4_990_000), price_usd_month=Decimal("199.00"),
    ),
    Tier(
        code="enterprise", rank=3, name_vi="Trưởng thành", name_en="Enterprise", stage_vi="ERP-CRM toàn diện",
        new_features=("erp.mrp", "erp.lots_serials", "erp.assets", "erp.projects", "erp.hr", "erp.branches",
                      "platform.audit_export", "platform.sso"),
        limits={"seats": UNLIMITED, "contacts": UNLIMITED, "pipelines": UNLIMITED, "warehouses": UNLIMITED},
        price_vnd_month=Decimal(14_900_000), price_usd_month=Decimal("599.00"),
    ),
]


def _with_inherited_features(tiers: list[Tier]) -> dict[str, Tier]:
    result, accumulated = {}, frozenset()
    for tier in sorted(tiers, key=lambda t: t.rank):
        accumulated = accumulated | frozenset(tier.new_features)
        result[tier.code] = Tier(**{**tier.__dict__, "features": accumulated})
    return result


TIERS: dict[str, Tier] = _with_inherited_features(_TIERS)
DEFAULT_TIER = "starter"
YEARLY_MONTHS_CHARGED = 10  # yearly billing: two months free


def tier_for_feature(feature: str) -> Tier:
    """The lowest default tier that has ``feature`` (for "upgrade to X" messages before plans load)."""
    return min((tier for tier in TIERS.values() if feature in tier.features), key=lambda tier: tier.rank)


def plan_defaults(tier: Tier) -> dict:
    """A Plan row's fields for a tier, as first seeded (vendor edits later live only in the row)."""
    return {
        "rank": tier.rank, "name_vi": tier.name_vi, "name_en": tier.name_en,
        "features": sorted(tier.features), "limits": dict(tier.limits),
        "price_vnd_month": tier.price_vnd_month,
        "price_vnd_year": tier.price_vnd_month * YEARLY_MONTHS_CHARGED,
        "price_usd_month": tier.price_usd_month,
        "price_usd_year": tier.price_usd_month * YEARLY_MONTHS_CHARGED,
        "trial_days": tier.trial_days,
    }
