"""Database triggers: published versions and their codes are never modified or deleted.

The triggers refuse every UPDATE, and every DELETE unless the one-row table
``codelists_guard`` is unlocked.  Only the ``flush`` command (which wipes the whole
database on purpose, e.g. between tests) unlocks it, and relocks it afterwards.
"""

from django.db import migrations

TABLES = ("repository_codelistversion", "repository_code")
MESSAGE = "published codelist versions are immutable"

SQLITE = ["CREATE TABLE codelists_guard (unlocked INTEGER NOT NULL)",
          "INSERT INTO codelists_guard (unlocked) VALUES (0)"]
for table in TABLES:
    SQLITE += [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"WHEN (SELECT max(unlocked) FROM codelists_guard) = 0 "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    ]
SQLITE_REVERSE = [f"DROP TRIGGER {t}_no_{op}" for t in TABLES for op in ("update", "delete")]
SQLITE_REVERSE.append("DROP TABLE codelists_guard")

POSTGRES = [
    "CREATE TABLE codelists_guard (unlocked INTEGER NOT NULL)",
    "INSERT INTO codelists_guard (unlocked) VALUES (0)",
    f"""CREATE FUNCTION codelists_refuse_change() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') AND (SELECT max(unlocked) FROM codelists_guard) = 1 THEN
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
END $$ LANGUAGE plpgsql""",
]
for table in TABLES:
    POSTGRES.append(
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION codelists_refuse_change()"
    )
    POSTGRES.append(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION codelists_refuse_change()"
    )
POSTGRES_REVERSE = [f"DROP TRIGGER {t}_{n} ON {t}" for t in TABLES
                    for n in ("immutable", "no_truncate")]
POSTGRES_REVERSE += ["DROP FUNCTION codelists_refuse_change()", "DROP TABLE codelists_guard"]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_REVERSE if vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("repository", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
