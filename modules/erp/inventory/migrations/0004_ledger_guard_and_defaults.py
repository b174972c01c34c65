"""The move ledger is append-only in the database too, and every workspace starts with one warehouse."""

from django.db import migrations

APPEND_ONLY = """
CREATE FUNCTION inventory_move_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stock moves are append-only: post a reversal instead'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER inventory_move_append_only BEFORE UPDATE OR DELETE ON inventory_stockmove
    FOR EACH ROW EXECUTE FUNCTION inventory_move_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS inventory_move_append_only ON inventory_stockmove;
DROP FUNCTION IF EXISTS inventory_move_append_only();
"""


def main_warehouse(apps, schema_editor):
    Warehouse = apps.get_model("inventory", "Warehouse")
    Location = apps.get_model("inventory", "Location")
    warehouse = Warehouse.objects.create(code="WH", name="Kho chính", is_default=True)
    Location.objects.create(warehouse=warehouse, code="STOCK", name="Tồn kho", is_default=True)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0003_initial")]

    operations = [
        migrations.RunSQL(APPEND_ONLY, DROP),
        migrations.RunPython(main_warehouse, migrations.RunPython.noop),
    ]
