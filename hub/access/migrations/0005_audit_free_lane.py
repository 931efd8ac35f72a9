"""An audit insert takes the first free lane instead of waiting for its own.

With lane ``pg_backend_pid() % 16`` fixed per session, two sessions whose
pids fall in the same lane took turns: the second call's audit insert waited
for the first call's commit, WAL flush included, even with fifteen lanes
idle. Now the trigger tries the session's home lane, then the next ones
(``pg_try_advisory_xact_lock``, which does not wait), and waits only when
all sixteen are held. A lane is still one chain in id order: the row's id
and its predecessor's hash are still read under the lane's lock, held until
commit. A transaction that already holds a lane finds it free (the lock is
its own), so it never waits on a second lane while holding one.

The call counter (``progress_count_call``, installed after ``migrate``)
shards by the lane the row took, which its writer holds until commit, so
counting no longer makes two calls queue on one row either.
"""

from django.db import migrations

LANES = 16
LOCK_BASE = 5355703912894649668  # as in 0004: lane n's lock key is LOCK_BASE + n

FORWARD = f"""
CREATE OR REPLACE FUNCTION access_audit_link() RETURNS trigger AS $$
DECLARE
    home smallint := pg_backend_pid() % {LANES};
    lane smallint;
    previous text;
BEGIN
    FOR step IN 0..{LANES - 1} LOOP
        IF pg_try_advisory_xact_lock({LOCK_BASE} + (home + step) % {LANES}) THEN
            lane := (home + step) % {LANES};
            EXIT;
        END IF;
    END LOOP;
    IF lane IS NULL THEN  -- every lane is in use: queue on the home lane
        lane := home;
        PERFORM pg_advisory_xact_lock({LOCK_BASE} + lane);
    END IF;
    NEW.chain := lane;
    NEW.id := nextval(pg_get_serial_sequence('access_auditentry', 'id'));
    SELECT hash INTO previous FROM access_auditentry WHERE chain = lane ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := coalesce(previous, repeat('0', 64));
    NEW.hash := encode(sha256(convert_to(NEW.prev_hash || NEW.hash, 'UTF8')), 'hex');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

# 0004's function: the session's own lane, waited for
BACKWARD = f"""
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


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("access", "0004_audit_lanes")]

    operations = [migrations.RunPython(forward, backward)]
