"""Every workspace starts with Vietnam's VAT rates (with their validity) and common units."""

import datetime

from django.db import migrations

# The 8% rate is the temporary 2-point cut (Decree 180/2024, extended by Resolution 204/2025/QH15 to the
# end of 2026); outside those dates the goods it covers go back to 10%.
VAT = [
    ("10", "VAT 10%", "10.00", datetime.date(2009, 1, 1), None),
    ("8", "VAT 8% (temporary cut)", "8.00", datetime.date(2025, 1, 1), datetime.date(2026, 12, 31)),
    ("5", "VAT 5%", "5.00", datetime.date(2009, 1, 1), None),
    ("0", "VAT 0%", "0.00", datetime.date(2009, 1, 1), None),
    ("exempt", "Not subject to VAT", None, datetime.date(2009, 1, 1), None),
]
UNITS = [("cai", "Cái"), ("chiec", "Chiếc"), ("hop", "Hộp"), ("thung", "Thùng"), ("kg", "Kg"), ("m", "Mét"),
         ("lit", "Lít"), ("bo", "Bộ"), ("gio", "Giờ"), ("lan", "Lần")]


def seed(apps, schema_editor):
    VatRate = apps.get_model("catalog", "VatRate")
    for code, name, rate, valid_from, valid_to in VAT:
        VatRate.objects.create(code=code, name=name, rate=rate, valid_from=valid_from, valid_to=valid_to)
    Unit = apps.get_model("catalog", "Unit")
    for code, name in UNITS:
        Unit.objects.create(code=code, name=name)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
