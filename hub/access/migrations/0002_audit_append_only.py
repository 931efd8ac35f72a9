"""On PostgreSQL the audit log refuses UPDATE and DELETE in the database itself.

TRUNCATE is left to privileges (the serving role is granted INSERT and
SELECT only; see docs/operations.md) because the test framework empties
tables with TRUNCATE between transactional tests.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION access_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_auditentry_append_only
    BEFORE UPDATE OR DELETE ON access_auditentry
    FOR EACH ROW EXECUTE FUNCTION access_audit_append_only();
CREATE INDEX access_auditentry_subject_keys_gin ON access_auditentry USING gin (subject_keys jsonb_path_ops);
"""

BACKWARD = """
DROP TRIGGER IF EXISTS access_auditentry_append_only ON access_auditentry;
DROP FUNCTION IF EXISTS access_audit_append_only();
DROP INDEX IF EXISTS access_auditentry_subject_keys_gin;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
