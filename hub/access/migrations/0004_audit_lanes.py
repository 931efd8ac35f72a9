"""The audit log becomes a set of hash chains ("lanes") linked in the database.

With one chain, every governed call queued on one advisory lock from its
audit insert until its commit had been flushed to disk: the whole hub served
one call per WAL flush. Now the insert trigger links each row into lane
``pg_backend_pid() % 16`` under that lane's own lock, so calls on different
connections proceed in parallel and their commits share WAL flushes.

Under the lane's lock the trigger also draws the row's id, so within a lane
id order is link order even when two inserts race between taking an id and
taking the lock (``audit.verify`` walks each lane in id order). Existing rows
stay in lane 0, where they already form one chain in id order.
"""

from django.db import migrations, models

LANES = 16
LOCK_BASE = 5355703912894649668  # the single chain's lock key; lanes use LOCK_BASE + lane

FORWARD = f"""
CREATE OR REPLACE FUNCTION access_audit_link() RETURNS trigger AS $$
DECLARE
    lane smallint := pg_backend_pid() % {LANES};
    previous text;
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_BASE} + lane);
    NEW.chain := lane;
    NEW.id := nextval(pg_get_serial_sequence('access_auditentry', 'id'));
    SELECT hash INTO previous FROM access_auditentry WHERE chain = lane ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := coalesce(previous, repeat('0', 64));
    NEW.hash := encode(sha256(convert_to(NEW.prev_hash || NEW.hash, 'UTF8')), 'hex');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = f"""
CREATE OR REPLACE FUNCTION access_audit_link() RETURNS trigger AS $$
DECLARE
    previous text;
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_BASE});
    SELECT hash INTO previous FROM access_auditentry ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := coalesce(previous, repeat('0', 64));
    NEW.hash := encode(sha256(convert_to(NEW.prev_hash || NEW.hash, 'UTF8')), 'hex');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("access", "0003_audit_chain_in_database")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="chain"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["chain", "id"], name="access_audit_chain_id"),
        ),
        migrations.RunPython(forward, backward),
    ]
