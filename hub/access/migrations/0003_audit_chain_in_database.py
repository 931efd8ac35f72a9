"""On PostgreSQL the database links each audit row into the chain as it is inserted.

The client sends the digest of the row's content in ``hash``; a BEFORE
INSERT trigger takes the chain's advisory lock (held until commit), reads
the previous row's hash and stores ``prev_hash`` and
``hash = sha256(prev_hash || digest)``. One round trip per audit row, and a
client cannot choose its own link.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION access_audit_link() RETURNS trigger AS $$
DECLARE
    previous text;
BEGIN
    PERFORM pg_advisory_xact_lock(5355703912894649668);
    SELECT hash INTO previous FROM access_auditentry ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := coalesce(previous, repeat('0', 64));
    NEW.hash := encode(sha256(convert_to(NEW.prev_hash || NEW.hash, 'UTF8')), 'hex');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_auditentry_link
    BEFORE INSERT ON access_auditentry
    FOR EACH ROW EXECUTE FUNCTION access_audit_link();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS access_auditentry_link ON access_auditentry;
DROP FUNCTION IF EXISTS access_audit_link();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("access", "0002_audit_append_only")]
    operations = [migrations.RunPython(forward, backward)]
