from django.db import migrations

SQL = """
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
-- unaccent() is STABLE (it reads a dictionary), so it cannot back an index; this wrapper pins the
-- dictionary and is IMMUTABLE. Workspace schemas index public.f_unaccent(lower(name)) with gin_trgm_ops.
CREATE OR REPLACE FUNCTION public.f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
"""


class Migration(migrations.Migration):
    """Accent-insensitive search ("nguyen van a" finds "Nguyễn Văn A"), installed once in public."""

    dependencies = [("tenants", "0002_provisioning_job_from_pool_blank")]
    operations = [migrations.RunSQL(SQL, reverse_sql="DROP FUNCTION IF EXISTS public.f_unaccent(text);")]
