"""Signed checkpoints anchor the audit chain outside the database; verify_audit checks lanes against them."""

import base64
import io
import json
import os
import stat
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from hub.access import audit, checkpoints
from hub.access.models import AuditEntry
from tests.access.test_audit import _append_from_threads
from tests.factories import make_person, make_system

pytestmark = pytest.mark.django_db

KEY = "5a" * 32  # the test's signing key (32 bytes, hex)


@pytest.fixture
def anchor(settings, tmp_path):
    """Checkpoints in a fresh directory, signed with the test key; no receiver."""
    settings.HUB_AUDIT_SIGNING_KEY = KEY
    settings.HUB_AUDIT_SIGNING_KEY_FILE = ""
    settings.HUB_AUDIT_VERIFY_KEYS = []
    settings.HUB_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.HUB_AUDIT_CHECKPOINT_URL = ""
    return tmp_path / "checkpoints"


@pytest.fixture
def client():
    person = make_person()
    _system, client = make_system(grants=[("population.person.name", "lookup", False)])
    client.person_url = f"/api/v1/population/persons/{person.id_number}/"
    return client


def calls(client, n):
    for _ in range(n):
        assert client.get(client.person_url).status_code == 200


def lane_rows():
    """The rows of the (single, in a test transaction) lane in id order."""
    lanes = set(AuditEntry.objects.values_list("chain", flat=True))
    assert len(lanes) == 1
    return list(AuditEntry.objects.order_by("id"))


def as_superuser(sql, params=()):
    """Tamper past the append-only trigger, as a database superuser can (the trigger is disabled)."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events: ALTER may run
            cursor.execute("ALTER TABLE access_auditentry DISABLE TRIGGER access_auditentry_append_only")
        try:
            cursor.execute(sql, params)
        finally:
            if postgres:
                cursor.execute("ALTER TABLE access_auditentry ENABLE TRIGGER access_auditentry_append_only")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def rewrite_lane_from(victim, prev_hash=None, **changes):
    """Edit ``victim`` (maybe its link) and recompute every later hash of its lane: the chain holds again."""
    rows = list(AuditEntry.objects.filter(chain=victim.chain, id__gte=victim.pk).order_by("id"))
    prev = prev_hash or victim.prev_hash
    for row in rows:
        edited = changes if row.pk == victim.pk else {}
        for name, value in edited.items():
            setattr(row, name, value)
        row.prev_hash = prev
        row.hash = audit.entry_hash(row, prev)
        prev = row.hash
        assignments = "".join(f"{name} = %s, " for name in edited)
        as_superuser(
            f"UPDATE access_auditentry SET {assignments}prev_hash = %s, hash = %s WHERE id = %s",
            [*edited.values(), row.prev_hash, row.hash, row.pk],
        )


def verify_fails():
    """Run verify_audit; it must fail; return its (English) report."""
    with translation.override("en"), pytest.raises(CommandError) as failure:
        call_command("verify_audit", verbosity=0)
    return str(failure.value)


def verify_passes():
    out = io.StringIO()
    with translation.override("en"):
        call_command("verify_audit", verbosity=0, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def checkpoint_files(directory):
    return checkpoints.files(directory)


# -- an untampered log --------------------------------------------------------


def test_an_untampered_log_agrees_with_its_checkpoint_and_rows_after_it_are_fine(anchor, client):
    calls(client, 3)
    call_command("audit_checkpoint", verbosity=0)
    calls(client, 2)  # written after the checkpoint: covered by the chain
    out = verify_passes()
    assert "agrees with the checkpoint" in out and "5 entries verified" in out
    (path,) = checkpoint_files(anchor)
    body = json.loads(path.read_text())
    rows = lane_rows()
    assert body["lanes"] == [{"lane": rows[0].chain, "id": rows[2].pk, "hash": rows[2].hash, "rows": 3}]
    assert body["database"] == connection.settings_dict["NAME"]
    assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)  # written read-only


def test_each_checkpoint_is_a_new_file_and_counts_carry_on(anchor, client):
    calls(client, 2)
    call_command("audit_checkpoint", verbosity=0)
    calls(client, 3)
    call_command("audit_checkpoint", verbosity=0)
    call_command("audit_checkpoint", verbosity=0)  # nothing new: the same heads, a new file
    newest, middle, first = (checkpoints.read(p) for p in checkpoint_files(anchor))
    assert [c.heads[lane_rows()[0].chain].rows for c in (first, middle, newest)] == [2, 5, 5]
    assert newest.body["previous"] == middle.digest and middle.body["previous"] == first.digest
    assert newest.heads == middle.heads
    verify_passes()


def test_audit_checkpoint_every_runs_at_an_interval_until_stopped(anchor, client):
    calls(client, 1)
    call_command("audit_checkpoint", every=0.01, times=3, verbosity=0)
    assert len(checkpoint_files(anchor)) == 3
    verify_passes()


# -- the three tamperings -----------------------------------------------------


def test_a_deleted_newest_row_is_reported_naming_the_lane_and_the_row(anchor, client):
    calls(client, 4)
    call_command("audit_checkpoint", verbosity=0)
    rows = lane_rows()
    as_superuser("DELETE FROM access_auditentry WHERE id = %s", [rows[-1].pk])
    assert audit.verify()[1] is None  # the chain alone cannot see it
    report = verify_fails()
    assert f"Lane {rows[-1].chain}: row {rows[-1].pk}" in report and "was deleted" in report
    assert f"First row that disagrees: {rows[-1].pk}" in report


def test_a_truncated_lane_is_reported_naming_the_lane_and_the_first_missing_row(anchor, client):
    calls(client, 6)
    call_command("audit_checkpoint", verbosity=0)
    rows = lane_rows()
    as_superuser("DELETE FROM access_auditentry WHERE id >= %s", [rows[3].pk])
    assert audit.verify()[1] is None
    report = verify_fails()
    assert f"Lane {rows[0].chain} is truncated" in report
    assert (
        f"it has 3 rows up to row {rows[2].pk}" in report
        and f"counts 6 rows up to row {rows[-1].pk}" in report
    )
    assert f"the one after row {rows[2].pk}" in report


def test_a_lane_truncated_to_nothing_is_reported(anchor, client):
    calls(client, 2)
    call_command("audit_checkpoint", verbosity=0)
    lane = lane_rows()[0].chain
    as_superuser("DELETE FROM access_auditentry")
    assert f"Lane {lane} is truncated: it is empty, but the checkpoint" in verify_fails()


def test_a_lane_rewritten_before_the_checkpoint_is_reported_with_how_far_it_still_agrees(anchor, client):
    calls(client, 3)
    call_command("audit_checkpoint", verbosity=0)  # an older checkpoint: heads at row 3
    calls(client, 3)
    call_command("audit_checkpoint", verbosity=0)  # the latest: heads at row 6
    rows = lane_rows()
    rewrite_lane_from(rows[4], result_count=0, status=404)  # row 5 edited, rows 5..6 rehashed
    assert audit.verify()[1] is None  # the chain holds again
    report = verify_fails()
    assert f"Lane {rows[0].chain} was rewritten before the checkpoint" in report
    assert f"row {rows[-1].pk} has hash" in report
    assert (
        f"up to row {rows[2].pk}" in report and f"after row {rows[2].pk}, at most row {rows[-1].pk}" in report
    )


def test_a_rewrite_before_the_first_checkpoint_is_reported_too(anchor, client):
    calls(client, 3)
    call_command("audit_checkpoint", verbosity=0)
    rows = lane_rows()
    rewrite_lane_from(rows[0], endpoint="/api/v1/elsewhere/")
    assert audit.verify()[1] is None
    report = verify_fails()
    assert "was rewritten" in report and f"row {rows[-1].pk} has hash" in report


def test_a_row_deleted_inside_the_lane_and_the_rest_rehashed_is_reported(anchor, client):
    calls(client, 4)
    call_command("audit_checkpoint", verbosity=0)
    rows = lane_rows()
    as_superuser("DELETE FROM access_auditentry WHERE id = %s", [rows[1].pk])
    rewrite_lane_from(AuditEntry.objects.get(pk=rows[2].pk), prev_hash=rows[0].hash)
    assert audit.verify()[1] is None
    assert "was rewritten" in verify_fails()


# -- checkpoints that cannot be trusted ----------------------------------------


def forge(directory, heads, key=None):
    """A checkpoint signed with some other key (or none at all), newer than every real one."""
    previous, _ = checkpoints.latest(directory, checkpoints.trusted_keys())
    checkpoint = checkpoints.sign(heads, previous, key or Ed25519PrivateKey.generate())
    return checkpoints.write(checkpoint, directory)


def test_a_forged_checkpoint_is_reported_and_not_used(anchor, client):
    calls(client, 3)
    call_command("audit_checkpoint", verbosity=0)
    rows = lane_rows()
    as_superuser("DELETE FROM access_auditentry WHERE id = %s", [rows[-1].pk])
    # The tamperer writes a checkpoint that matches the shortened lane, with a key of its own.
    heads, _problems = checkpoints.current_heads(None)
    forged = forge(anchor, heads)
    report = verify_fails()
    assert f"Checkpoint {forged} is not valid" in report and "not a trusted audit key" in report
    assert f"row {rows[-1].pk}" in report and "was deleted" in report  # checked against the real one


def test_a_checkpoint_whose_content_was_edited_fails_its_signature(anchor, client):
    calls(client, 2)
    call_command("audit_checkpoint", verbosity=0)
    (path,) = checkpoint_files(anchor)
    body = json.loads(path.read_text())
    body["lanes"][0]["rows"] = 1
    body["at"] = body["at"].replace(body["at"][:4], str(int(body["at"][:4]) + 1), 1)  # and newer
    edited = anchor / "9999-12" / "checkpoint-99991231T000000_000000Z.json"
    edited.parent.mkdir()
    edited.write_text(json.dumps(body))
    report = verify_fails()
    assert f"Checkpoint {edited} is not valid: its signature does not verify" in report


def test_the_signing_key_of_an_earlier_series_verifies_after_rotation(anchor, client, settings, tmp_path):
    calls(client, 2)
    call_command("audit_checkpoint", verbosity=0)
    old = checkpoints.parse_private_key(KEY).public_key()
    settings.HUB_AUDIT_SIGNING_KEY = base64.b64encode(b"\x07" * 32).decode()  # the new key
    assert "not a trusted audit key" in verify_fails()  # the old key is no longer trusted ...
    raw = old.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    settings.HUB_AUDIT_VERIFY_KEYS = [raw.hex()]  # ... until it is listed
    verify_passes()
    calls(client, 1)
    call_command("audit_checkpoint", verbosity=0)  # signed with the new key, continuing the series
    newest = checkpoints.read(checkpoint_files(anchor)[0])
    assert newest.body["key_id"] != checkpoints.key_id(old)
    verify_passes()


def test_audit_checkpoint_refuses_to_vouch_for_a_tampered_log(anchor, client):
    calls(client, 3)
    call_command("audit_checkpoint", verbosity=0)
    rows = lane_rows()
    as_superuser("DELETE FROM access_auditentry WHERE id = %s", [rows[-1].pk])
    with translation.override("en"), pytest.raises(CommandError, match=f"row {rows[-1].pk}, its newest row"):
        call_command("audit_checkpoint", verbosity=0)
    assert len(checkpoint_files(anchor)) == 1
    verify_fails()
    call_command("audit_checkpoint", new_series=True, verbosity=0)  # after the investigation
    verify_passes()


def test_no_checkpoint_is_a_warning_or_with_require_checkpoint_an_error(anchor, client):
    calls(client, 1)
    assert "1 entries verified" in verify_passes()
    with translation.override("en"), pytest.raises(CommandError, match="No valid checkpoint"):
        call_command("verify_audit", require_checkpoint=True, verbosity=0)


def test_another_databases_checkpoints_are_ignored(anchor, client, monkeypatch):
    calls(client, 2)
    monkeypatch.setattr(checkpoints, "database_name", lambda: "hub_elsewhere")
    call_command("audit_checkpoint", verbosity=0)
    monkeypatch.undo()
    as_superuser("DELETE FROM access_auditentry")
    verify_passes()  # nothing of this database to compare with


# -- keys, receiver, translation ------------------------------------------------


def test_development_generates_a_private_key_file_production_requires_one(settings, tmp_path, client):
    settings.HUB_AUDIT_SIGNING_KEY = ""
    settings.HUB_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.HUB_AUDIT_CHECKPOINT_URL = ""
    settings.HUB_AUDIT_VERIFY_KEYS = []
    settings.HUB_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    settings.DEBUG = False
    with translation.override("en"), pytest.raises(CommandError, match="cannot be read"):
        call_command("audit_checkpoint", verbosity=0)
    settings.HUB_AUDIT_SIGNING_KEY_FILE = ""
    with translation.override("en"), pytest.raises(CommandError, match="HUB_AUDIT_SIGNING_KEY"):
        call_command("audit_checkpoint", verbosity=0)
    settings.DEBUG = True
    settings.HUB_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "key.pem")
    calls(client, 1)
    call_command("audit_checkpoint", verbosity=0)
    assert stat.S_IMODE(os.stat(tmp_path / "key.pem").st_mode) == 0o600
    verify_passes()


class Receiver(BaseHTTPRequestHandler):
    received = []
    status = 204

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(Receiver.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(settings):
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    Receiver.received, Receiver.status = [], 204
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.HUB_AUDIT_CHECKPOINT_URL = f"http://127.0.0.1:{server.server_port}/checkpoints"
    yield Receiver
    server.shutdown()
    server.server_close()


def test_checkpoints_are_posted_to_the_receiver(anchor, client, receiver):
    calls(client, 2)
    call_command("audit_checkpoint", verbosity=0)
    ((content_type, body),) = receiver.received
    assert content_type == "application/json"
    (path,) = checkpoint_files(anchor)
    assert body == json.loads(path.read_text())
    public = checkpoints.parse_private_key(KEY).public_key()
    public.verify(base64.b64decode(body["signature"]), checkpoints.signed_bytes(body))  # raises if forged
    receiver.status = 500
    with translation.override("en"), pytest.raises(CommandError, match="receiver"):
        call_command("audit_checkpoint", verbosity=0)
    assert len(checkpoint_files(anchor)) == 2  # the file is written first, whatever the receiver says


def test_verify_audit_speaks_chinese(anchor, client):
    calls(client, 2)
    call_command("audit_checkpoint", verbosity=0)
    as_superuser("DELETE FROM access_auditentry WHERE id = %s", [lane_rows()[-1].pk])
    with translation.override("zh-hans"), pytest.raises(CommandError) as failure:
        call_command("verify_audit", verbosity=0)
    assert "已被删除" in str(failure.value)


# -- several lanes (PostgreSQL) -------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lanes are linked by the PostgreSQL trigger")
@pytest.mark.django_db(transaction=True)
def test_with_many_lanes_the_tampered_one_is_named(anchor):
    _append_from_threads(threads=4, rows_each=5)
    call_command("audit_checkpoint", verbosity=0)
    (path,) = checkpoint_files(anchor)
    lanes = json.loads(path.read_text())["lanes"]
    assert len(lanes) > 1 and sum(lane["rows"] for lane in lanes) == 20
    victim_lane = lanes[-1]
    as_superuser("DELETE FROM access_auditentry WHERE id = %s", [victim_lane["id"]])
    report = verify_fails()
    assert f"Lane {victim_lane['lane']}: row {victim_lane['id']}" in report
    assert report.count("Lane ") == 1  # the other lanes agree
