"""The seed text's decision tables as data (../shared/seed/erp-vs-crm.vi.txt). The engine reads these;
nothing here is code. Each rule cites where it comes from, in Vietnamese (the seed's words) and English.

- TYPE_RULES: sections 4.1-4.5, one per business type: the rollout order the seed recommends.
- CHARACTERISTIC_RULES: every row of the tables 4.1-4.5 ("Đặc điểm | Lựa chọn phù hợp | Lý do"),
  asked as "which of these describe you" for the chosen type; each names ERP, CRM or both.
- STAGE_RULES: table 4.6 (growth stage -> recommendation), which sets the tier.
- PAIN_RULES: section 3, the six signs that call for ERP first and the six that call for CRM first.
- SIZE_RULES: what the tiers hold (PRODUCT.md limits and modules) for seats, branches and countries.
"""

from __future__ import annotations

CRM, ERP, BOTH = "crm", "erp", "both"
TIER_ORDER = ["starter", "growth", "scale", "enterprise"]

# Rollout phases per order: module groups (keys shown in the UI and used by templates and the checklist).
PHASES = {
    CRM: [["crm"], ["erp_operations"], ["erp_finance", "integration"]],
    ERP: [["erp_operations"], ["erp_finance"], ["crm", "integration"]],
    BOTH: [["crm", "erp_operations", "integration"], ["erp_finance"], ["analytics"]],
}

TYPE_RULES = {
    "sme": {"id": "4.1", "order": CRM, "tier_floor": "starter",
            "vi": "SMEs nên bắt đầu với giải pháp CRM để tối ưu hóa quy trình bán hàng và chăm sóc khách hàng. "
                  "Khi doanh nghiệp phát triển lớn mạnh, có thể cân nhắc bổ sung ERP.",
            "en": "SMEs should start with CRM to optimise selling and customer care, and add ERP as they grow."},
    "manufacturing": {"id": "4.2", "order": ERP, "tier_floor": "growth",
                      "vi": "Doanh nghiệp sản xuất nên ưu tiên triển khai ERP trước để tối ưu hóa quy trình sản xuất "
                            "và kiểm soát chi phí. CRM có thể được bổ sung sau để tăng cường hiệu quả bán hàng.",
                      "en": "Manufacturers should roll out ERP first to optimise production and control costs; CRM "
                            "can follow to strengthen sales."},
    "services": {"id": "4.3", "order": CRM, "tier_floor": "starter",
                 "vi": "Doanh nghiệp dịch vụ nên bắt đầu với CRM để tối ưu hóa trải nghiệm khách hàng, sau đó bổ sung "
                       "các phân hệ ERP như quản lý nhân sự, tài chính khi cần thiết.",
                 "en": "Service businesses should start with CRM for the customer experience, then add ERP modules "
                       "such as HR and finance when needed."},
    "ecommerce": {"id": "4.4", "order": BOTH, "tier_floor": "scale",
                  "vi": "Doanh nghiệp e-commerce nên cân nhắc triển khai đồng thời cả CRM và ERP, hoặc lựa chọn giải "
                        "pháp tích hợp sẵn cả hai hệ thống để đảm bảo vận hành hiệu quả.",
                  "en": "E-commerce businesses should deploy CRM and ERP together, or choose an integrated "
                        "solution, to run efficiently."},
    "enterprise": {"id": "4.5", "order": BOTH, "tier_floor": "enterprise",
                   "vi": "Doanh nghiệp lớn nên đầu tư vào giải pháp tích hợp ERP-CRM toàn diện để đảm bảo tính nhất "
                         "quán của dữ liệu và tối ưu hóa vận hành.",
                   "en": "Large enterprises should invest in a comprehensive integrated ERP-CRM for consistent data "
                         "and optimised operations."},
    # Not in the seed: with no type-specific table, the pain points of section 3 decide the order.
    "other": {"id": "3", "order": None, "tier_floor": "starter",
              "vi": "Lựa chọn giữa ERP và CRM không phải là “một trong hai” mà là “cái nào trước, cái nào sau”: "
                    "hãy xác định rõ “điểm đau” hiện tại của doanh nghiệp.",
              "en": "ERP or CRM is not either/or but which comes first: start from the pains the business feels."},
}


def _row(type_code, number, vi, en, choice, reason_vi):
    return {"id": f"{TYPE_RULES[type_code]['id']}.{number}", "type": type_code, "vi": vi, "en": en,
            "choice": choice, "reason_vi": reason_vi}


CHARACTERISTIC_RULES = [
    _row("sme", 1, "Nguồn lực hạn chế", "Limited resources", CRM,
         "Chi phí triển khai thấp hơn, thời gian hoàn vốn nhanh"),
    _row("sme", 2, "Cần tăng trưởng nhanh", "Need to grow fast", CRM,
         "Tập trung vào phát triển khách hàng và tăng doanh số"),
    _row("sme", 3, "Quy trình đơn giản", "Simple processes", CRM,
         "Dễ triển khai, ít phức tạp trong quản lý nội bộ"),
    _row("sme", 4, "Cần linh hoạt", "Need flexibility", CRM, "Dễ điều chỉnh theo thay đổi của thị trường"),
    _row("manufacturing", 1, "Quản lý chuỗi cung ứng phức tạp", "Complex supply chain", ERP,
         "Tối ưu hóa quản lý nguyên vật liệu và sản xuất"),
    _row("manufacturing", 2, "Kiểm soát chi phí sản xuất", "Production cost control", ERP,
         "Giám sát và phân tích chi tiết chi phí vận hành"),
    _row("manufacturing", 3, "Quản lý hàng tồn kho", "Inventory management", ERP,
         "Giảm thiểu tồn kho, tối ưu luân chuyển vật tư"),
    _row("manufacturing", 4, "Truy xuất nguồn gốc sản phẩm", "Product traceability", ERP,
         "Theo dõi toàn bộ vòng đời sản phẩm"),
    _row("services", 1, "Tập trung vào trải nghiệm khách hàng", "Focus on customer experience", CRM,
         "Cá nhân hóa dịch vụ và nâng cao sự hài lòng"),
    _row("services", 2, "Quản lý hợp đồng dịch vụ", "Service contract management", CRM,
         "Theo dõi thời hạn và điều khoản dịch vụ"),
    _row("services", 3, "Xây dựng quan hệ dài hạn", "Long-term relationships", CRM,
         "Phân tích nhu cầu và hành vi khách hàng"),
    _row("services", 4, "Quản lý đội ngũ dịch vụ", "Managing the service team", BOTH,
         "Kết hợp quản lý khách hàng và nhân sự"),
    _row("ecommerce", 1, "Quản lý đơn hàng số lượng lớn", "High order volumes", BOTH,
         "Tự động hóa quy trình xử lý đơn hàng"),
    _row("ecommerce", 2, "Phân tích hành vi mua sắm", "Shopping behaviour analysis", CRM,
         "Tối ưu hóa chiến dịch marketing và bán hàng"),
    _row("ecommerce", 3, "Quản lý kho và logistics", "Warehouse and logistics", ERP,
         "Đảm bảo giao hàng đúng hẹn, tối ưu hóa kho bãi"),
    _row("ecommerce", 4, "Tích hợp đa kênh", "Multichannel integration", BOTH,
         "Đồng bộ dữ liệu từ nhiều nền tảng bán hàng"),
    _row("enterprise", 1, "Cấu trúc phức tạp, nhiều phòng ban", "Complex structure, many departments", BOTH,
         "Tích hợp toàn diện mọi hoạt động"),
    _row("enterprise", 2, "Hoạt động đa quốc gia", "Operating in several countries", BOTH,
         "Đồng bộ dữ liệu xuyên biên giới, đa ngôn ngữ"),
    _row("enterprise", 3, "Tuân thủ quy định pháp lý", "Regulatory compliance", ERP,
         "Đảm bảo tuân thủ các quy định kế toán, thuế"),
    _row("enterprise", 4, "Phân tích kinh doanh nâng cao", "Advanced business analytics", BOTH,
         "Cung cấp bức tranh toàn diện về doanh nghiệp"),
]

STAGE_RULES = {
    "startup": {"id": "4.6.1", "tier": "starter", "vi": "Khởi nghiệp → CRM đơn giản: tập trung xây dựng cơ sở khách "
                "hàng ban đầu", "en": "Starting up → simple CRM: build the first customer base"},
    "growth": {"id": "4.6.2", "tier": "growth", "vi": "Tăng trưởng → CRM nâng cao + ERP cơ bản: bắt đầu tiêu chuẩn "
               "hóa quy trình nội bộ", "en": "Growing → advanced CRM + basic ERP: start standardising processes"},
    "expansion": {"id": "4.6.3", "tier": "scale", "vi": "Mở rộng → Tích hợp ERP-CRM: đảm bảo dữ liệu nhất quán giữa "
                  "các hệ thống", "en": "Expanding → integrated ERP-CRM: keep data consistent across systems"},
    "mature": {"id": "4.6.4", "tier": "enterprise", "vi": "Trưởng thành → ERP-CRM toàn diện: tối ưu hóa toàn bộ chuỗi "
               "giá trị", "en": "Mature → comprehensive ERP-CRM: optimise the whole value chain"},
}

PAIN_RULES = [
    {"id": "3.erp.1", "side": ERP, "vi": "Thiếu sự liên kết và đồng bộ giữa các hệ thống quản lý xuyên suốt tổ chức",
     "en": "Management systems are not linked or in sync across the organisation"},
    {"id": "3.erp.2", "side": ERP, "vi": "Sự không nhất quán trong dữ liệu giữa các bộ phận chức năng (tài chính, kho "
     "vận, sản xuất…)", "en": "Data differs between departments (finance, logistics, production…)"},
    {"id": "3.erp.3", "side": ERP,
     "vi": "Hạn chế trong việc kiểm soát chi phí và tối ưu hóa hiệu quả sử dụng nguồn lực",
     "en": "Hard to control costs and use resources well"},
    {"id": "3.erp.4", "side": ERP, "vi": "Quy trình vận hành còn nhiều thủ công, làm giảm hiệu suất công việc",
     "en": "Operations are still manual and slow work down"},
    {"id": "3.erp.5", "side": ERP, "vi": "Thiếu khả năng truy cập dữ liệu theo thời gian thực cho việc ra quyết định "
     "kịp thời", "en": "No real-time data for timely decisions"},
    {"id": "3.erp.6", "side": ERP, "vi": "Cần đáp ứng các tiêu chuẩn và quy định nghiêm ngặt trong lĩnh vực kế toán, "
     "tài chính", "en": "Strict accounting and financial standards to meet"},
    {"id": "3.crm.1", "side": CRM, "vi": "Thách thức trong việc theo dõi và quản lý hiệu quả các cơ hội bán hàng",
     "en": "Hard to track and manage sales opportunities"},
    {"id": "3.crm.2", "side": CRM, "vi": "Hiệu suất chuyển đổi khách hàng tiềm năng chưa đạt mục tiêu đề ra",
     "en": "Lead conversion below target"},
    {"id": "3.crm.3", "side": CRM, "vi": "Hạn chế trong việc nắm bắt hành trình khách hàng và hiểu sâu nhu cầu của họ",
     "en": "Little insight into the customer journey and needs"},
    {"id": "3.crm.4", "side": CRM, "vi": "Thiếu tính nhất quán trong trải nghiệm khách hàng qua các kênh tương tác",
     "en": "Inconsistent customer experience across channels"},
    {"id": "3.crm.5", "side": CRM, "vi": "Hoạt động marketing cần được củng cố bằng dữ liệu và các chỉ số đo lường "
     "cụ thể", "en": "Marketing needs data and concrete metrics"},
    {"id": "3.crm.6", "side": CRM, "vi": "Quy trình bán hàng cần được tiêu chuẩn hóa để nâng cao khả năng dự báo",
     "en": "The sales process needs standardising to forecast better"},
]

# What the tiers hold (PRODUCT.md): seats per tier, branches and several countries (Enterprise, or the
# integrated flow of Scale for cross-border data).
SIZE_RULES = [
    {"id": "tier.seats.growth", "when": ("headcount", 4), "tier": "growth",
     "vi": "Hơn 3 người dùng: gói Tăng trưởng có 15 chỗ", "en": "More than 3 users: Growth has 15 seats"},
    {"id": "tier.seats.scale", "when": ("headcount", 16), "tier": "scale",
     "vi": "Hơn 15 người dùng: gói Mở rộng có 50 chỗ", "en": "More than 15 users: Scale has 50 seats"},
    {"id": "tier.seats.enterprise", "when": ("headcount", 51), "tier": "enterprise",
     "vi": "Hơn 50 người dùng: gói Trưởng thành không giới hạn", "en": "More than 50 users: Enterprise is unlimited"},
    {"id": "tier.branches", "when": ("branches", 2), "tier": "enterprise",
     "vi": "Nhiều chi nhánh: quản lý theo chi nhánh có ở gói Trưởng thành",
     "en": "Several branches: branch management comes with Enterprise"},
    {"id": "4.5.2", "when": ("multinational", 1), "tier": "scale",
     "vi": "Hoạt động đa quốc gia → ERP + CRM: đồng bộ dữ liệu xuyên biên giới, đa ngôn ngữ",
     "en": "Operating in several countries → ERP + CRM: data in sync across borders and languages"},
]
