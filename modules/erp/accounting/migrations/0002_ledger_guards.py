"""The database keeps the ledger's promises even against raw SQL: entries balance at commit (a deferred
constraint trigger), and posted entries and lines are never updated or deleted."""

from django.db import migrations

GUARDS = """
CREATE FUNCTION accounting_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry bigint := COALESCE(NEW.entry_id, OLD.entry_id);
    unbalanced boolean;
BEGIN
    -- At COMMIT the search path may point elsewhere (another workspace, public): read the table of the
    -- schema the row was written in.
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.accounting_journalline WHERE entry_id = $1 '
                   'HAVING SUM(debit) <> SUM(credit))', TG_TABLE_SCHEMA) INTO unbalanced USING entry;
    IF unbalanced THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits <> credits', entry
            USING ERRCODE = 'check_violation';
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.accounting_journalline WHERE entry_id = $1 '
                   'GROUP BY currency HAVING SUM(amount_currency) <> 0)', TG_TABLE_SCHEMA)
        INTO unbalanced USING entry;
    IF unbalanced THEN
        RAISE EXCEPTION 'journal entry % does not balance in one of its currencies', entry
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER accounting_entry_balanced
    AFTER INSERT OR UPDATE OR DELETE ON accounting_journalline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accounting_entry_balanced();

CREATE FUNCTION accounting_posted_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'posted journal entries are immutable: post a reversal instead'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER accounting_entry_immutable BEFORE UPDATE OR DELETE ON accounting_journalentry
    FOR EACH ROW EXECUTE FUNCTION accounting_posted_immutable();
CREATE TRIGGER accounting_line_immutable BEFORE UPDATE OR DELETE ON accounting_journalline
    FOR EACH ROW EXECUTE FUNCTION accounting_posted_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS accounting_entry_balanced ON accounting_journalline;
DROP TRIGGER IF EXISTS accounting_line_immutable ON accounting_journalline;
DROP TRIGGER IF EXISTS accounting_entry_immutable ON accounting_journalentry;
DROP FUNCTION IF EXISTS accounting_entry_balanced();
DROP FUNCTION IF EXISTS accounting_posted_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("accounting", "0001_initial")]

    operations = [migrations.RunSQL(GUARDS, DROP)]
