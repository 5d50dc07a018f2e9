"""The audit log is append-only in the database itself, not only by convention (ADR 0004).

PostgreSQL: a trigger refuses UPDATE and DELETE on core_auditevent. TRUNCATE stays possible for the
table's owner (the test runner empties tables that way); the chain head catches events removed at
the end. SQLite: a trigger refuses UPDATE only, because Django empties SQLite tables with DELETE
between transactional tests; a deleted middle event breaks the chain and is reported by verify.
Someone who owns the database can still drop a trigger: `korpu audit verify` is the check that
does not depend on the database's goodwill.
"""

from django.db import migrations

POSTGRES_UP = [
    """CREATE FUNCTION korpu_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'core_auditevent is append-only (% refused)', TG_OP;
END $$""",
    """CREATE TRIGGER korpu_audit_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION korpu_audit_append_only()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS korpu_audit_append_only ON core_auditevent",
    "DROP FUNCTION IF EXISTS korpu_audit_append_only()",
]
SQLITE_UP = ["""CREATE TRIGGER korpu_audit_append_only BEFORE UPDATE ON core_auditevent
BEGIN
    SELECT RAISE(ABORT, 'core_auditevent is append-only (UPDATE refused)');
END"""]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS korpu_audit_append_only"]


def _run(schema_editor, postgres: list[str], sqlite: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    for statement in postgres if vendor == "postgresql" else sqlite if vendor == "sqlite" else []:
        schema_editor.execute(statement, params=None)


def up(apps, schema_editor) -> None:
    _run(schema_editor, POSTGRES_UP, SQLITE_UP)


def down(apps, schema_editor) -> None:
    _run(schema_editor, POSTGRES_DOWN, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_alter_auditevent_actor")]

    operations = [migrations.RunPython(up, down)]
