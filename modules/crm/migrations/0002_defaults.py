"""Every workspace starts with a working CRM: a pipeline, lead sources, scoring rules, SLA policies and
business hours. (Onboarding later replaces these with its business-type templates.)"""

import datetime

from django.db import migrations

STAGES = [("Mới", 10, "open"), ("Đủ điều kiện", 25, "open"), ("Đề xuất", 50, "open"), ("Đàm phán", 75, "open"),
          ("Thắng", 100, "won"), ("Thua", 0, "lost")]
SOURCES = [("Website", "website"), ("Giới thiệu", "referral"), ("Facebook", "facebook"), ("Zalo", "zalo"),
           ("Sự kiện", "event"), ("Gọi điện", "cold-call")]
RULES = [
    ("Được giới thiệu", "source", "equals", "referral", 20),
    ("Có email", "email", "is_set", "", 10),
    ("Có số điện thoại", "phone", "is_set", "", 10),
    ("Có mã số thuế (doanh nghiệp đã đăng ký)", "tax_code", "is_set", "", 15),
    ("Có tên công ty", "company", "is_set", "", 5),
    ("Giá trị dự kiến trên 100 triệu", "estimated_value", "greater", "100000000", 25),
]
SLA = [("urgent", 30, 240), ("high", 60, 480), ("normal", 240, 1440), ("low", 480, 4320)]
LOST = ["Giá cao", "Chọn đối thủ", "Không còn nhu cầu", "Không liên lạc được"]
CATEGORIES = ["Kỹ thuật", "Thanh toán", "Giao hàng", "Khác"]


def seed(apps, schema_editor):
    pipeline = apps.get_model("crm", "Pipeline").objects.create(name="Bán hàng", is_default=True)
    Stage = apps.get_model("crm", "Stage")
    for position, (name, probability, kind) in enumerate(STAGES):
        Stage.objects.create(pipeline=pipeline, name=name, position=position, probability=probability, kind=kind)
    for name, code in SOURCES:
        apps.get_model("crm", "LeadSource").objects.create(name=name, code=code)
    for position, (name, field, operator, value, points) in enumerate(RULES):
        apps.get_model("crm", "ScoringRule").objects.create(name=name, field=field, operator=operator, value=value,
                                                            points=points, position=position)
    for priority, first, resolution in SLA:
        apps.get_model("crm", "SlaPolicy").objects.create(priority=priority, first_response_minutes=first,
                                                          resolution_minutes=resolution)
    BusinessHours = apps.get_model("crm", "BusinessHours")
    for weekday in range(5):
        BusinessHours.objects.create(weekday=weekday, opens=datetime.time(8), closes=datetime.time(17, 30))
    BusinessHours.objects.create(weekday=5, opens=datetime.time(8), closes=datetime.time(12))
    for name in LOST:
        apps.get_model("crm", "LostReason").objects.create(name=name)
    for name in CATEGORIES:
        apps.get_model("crm", "TicketCategory").objects.create(name=name)
    apps.get_model("crm", "CrmSettings").objects.create()


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
