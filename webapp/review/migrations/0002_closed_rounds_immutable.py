"""Database triggers: ratings of a closed round are never written, changed or deleted;
a closed round is never reopened or changed.

Deleting is allowed only while the repository's ``codelists_guard`` is unlocked (the
``flush`` command, which wipes the whole database on purpose).
"""

from django.db import migrations

MESSAGE = "ratings of a closed review round are immutable"
CLOSED = "(SELECT closed FROM review_round WHERE id = {row}.round_id) IS NOT NULL"
LOCKED = "(SELECT max(unlocked) FROM codelists_guard) = 0"

SQLITE = [
    "CREATE TRIGGER review_rating_no_insert BEFORE INSERT ON review_rating "
    f"WHEN {CLOSED.format(row='NEW')} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    "CREATE TRIGGER review_rating_no_update BEFORE UPDATE ON review_rating "
    f"WHEN {CLOSED.format(row='OLD')} OR {CLOSED.format(row='NEW')} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    "CREATE TRIGGER review_rating_no_delete BEFORE DELETE ON review_rating "
    f"WHEN {CLOSED.format(row='OLD')} AND {LOCKED} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    "CREATE TRIGGER review_round_no_update BEFORE UPDATE ON review_round "
    f"WHEN OLD.closed IS NOT NULL BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    "CREATE TRIGGER review_round_no_delete BEFORE DELETE ON review_round "
    f"WHEN OLD.closed IS NOT NULL AND {LOCKED} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_REVERSE = [f"DROP TRIGGER {name}" for name in (
    "review_rating_no_insert", "review_rating_no_update", "review_rating_no_delete",
    "review_round_no_update", "review_round_no_delete")]

POSTGRES = [
    f"""CREATE FUNCTION review_refuse_closed_rating() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF (SELECT closed FROM review_round WHERE id = OLD.round_id) IS NULL
       OR (SELECT max(unlocked) FROM codelists_guard) = 1 THEN
      RETURN OLD;
    END IF;
  ELSIF (SELECT closed FROM review_round WHERE id = NEW.round_id) IS NULL
     AND (TG_OP = 'INSERT'
          OR (SELECT closed FROM review_round WHERE id = OLD.round_id) IS NULL) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
END $$ LANGUAGE plpgsql""",
    f"""CREATE FUNCTION review_refuse_closed_round() RETURNS trigger AS $$
BEGIN
  IF OLD.closed IS NULL THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' AND (SELECT max(unlocked) FROM codelists_guard) = 1 THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER review_rating_closed BEFORE INSERT OR UPDATE OR DELETE ON review_rating "
    "FOR EACH ROW EXECUTE FUNCTION review_refuse_closed_rating()",
    "CREATE TRIGGER review_round_closed BEFORE UPDATE OR DELETE ON review_round "
    "FOR EACH ROW EXECUTE FUNCTION review_refuse_closed_round()",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER review_rating_closed ON review_rating",
    "DROP TRIGGER review_round_closed ON review_round",
    "DROP FUNCTION review_refuse_closed_rating()",
    "DROP FUNCTION review_refuse_closed_round()",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_REVERSE if vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial"), ("repository", "0002_immutable_versions")]
    operations = [migrations.RunPython(forwards, backwards)]
