"""Production serving: request id, JSON logs, security headers, CSP, login lockout, check --deploy."""

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hub.access.models import AuditEntry
from hub.logs import JsonFormatter, RequestIdFilter
from tests.factories import make_person, make_system

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra):
    env = {
        **os.environ,
        "HUB_DEBUG": "0",
        "HUB_SECRET_KEY": secrets.token_urlsafe(64),
        "HUB_ALLOWED_HOSTS": "hub.example.gov.cn,testserver",
        "HUB_SIGNING_KEY": secrets.token_hex(32),  # licences are signed with it (licences.E001)
        "DJANGO_SETTINGS_MODULE": "hub.settings",
    }
    env.update(extra)
    return env


def test_check_deploy_is_clean_in_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secrets():
    env = production_env()
    del env["HUB_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "HUB_SECRET_KEY" in result.stderr


PROBE_SCRIPT = """
import json, django
django.setup()
from django.test import Client
from django.conf import settings
c = Client()
out = {}
for path in ("/healthz", "/readyz", "/api/v1/catalogue/datasets/", "/admin/login/"):
    r = c.get(path)
    out[path] = [r.status_code, r.get("Location", "")]
r = c.get("/admin/login/", secure=True)
out["secure_login"] = {
    "status": r.status_code,
    "hsts": r.get("Strict-Transport-Security", ""),
    "csp": r.get("Content-Security-Policy", ""),
    "cookies_secure": [bool(m["secure"]) for m in r.cookies.values()],
    "cookie_names": sorted(r.cookies.keys()),
}
out["settings"] = {
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "debug": settings.DEBUG,
}
print(json.dumps(out))
"""


def test_production_probes_skip_the_ssl_redirect_and_pages_carry_security_headers(tmp_path):
    env = production_env(HUB_STATIC_ROOT=str(tmp_path / "static"))
    # Production serves hashed static files (whitenoise manifest), as `make serve` collects them.
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr
    result = subprocess.run(
        [sys.executable, "-c", PROBE_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["/healthz"] == [200, ""]
    # Readiness answers in plain HTTP (200 or 503 depending on the database), never a redirect.
    assert out["/readyz"][0] in (200, 503)
    # Everything else is sent to HTTPS.
    assert out["/api/v1/catalogue/datasets/"][0] == 301
    assert out["/api/v1/catalogue/datasets/"][1].startswith("https://")
    assert out["/admin/login/"][0] == 301
    login = out["secure_login"]
    assert login["status"] == 200
    assert "max-age=31536000" in login["hsts"] and "includeSubDomains" in login["hsts"]
    assert "default-src 'self'" in login["csp"] and "frame-ancestors 'none'" in login["csp"]
    assert "csrftoken" in login["cookie_names"]
    assert all(login["cookies_secure"])
    assert out["settings"] == {"session_secure": True, "csrf_secure": True, "debug": False}


@pytest.mark.django_db
def test_request_id_is_echoed_and_written_to_the_audit_row():
    person = make_person()
    _system, client = make_system(grants=[("population.person.name", "lookup", False)])
    response = client.get(f"/api/v1/population/persons/{person.id_number}/", HTTP_X_REQUEST_ID="gw-42.abc")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "gw-42.abc"
    assert AuditEntry.objects.get().request_id == "gw-42.abc"


@pytest.mark.django_db
def test_insane_request_id_is_replaced_by_a_generated_one():
    person = make_person()
    _system, client = make_system(grants=[("population.person.name", "lookup", False)])
    hostile = "x' OR 1=1; --\n" + "a" * 200
    response = client.get(f"/api/v1/population/persons/{person.id_number}/", HTTP_X_REQUEST_ID=hostile)
    generated = response["X-Request-ID"]
    assert generated != hostile and len(generated) == 32 and generated.isalnum()
    assert AuditEntry.objects.get().request_id == generated
    # Two calls without an id get two different ids.
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


@pytest.mark.django_db
def test_request_log_line_is_json_with_the_request_id():
    handler_output = []

    class Capture(logging.Handler):
        def emit(self, record):
            handler_output.append(self.format(record))

    handler = Capture()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("hub.request")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        Client().get("/healthz", HTTP_X_REQUEST_ID="probe-1")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    lines = [json.loads(line) for line in handler_output]
    assert lines, "no request log line"
    line = lines[-1]
    assert line["request_id"] == "probe-1"
    assert line["path"] == "/healthz" and line["status"] == 200 and line["method"] == "GET"
    assert line["level"] == "INFO" and "duration_ms" in line and "time" in line


def test_django_error_log_lines_carry_the_request_id_of_their_request():
    """Django logs 4xx/5xx after the middleware chain has returned; the id comes from the request."""
    records = []

    class Capture(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Capture()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = Client().get("/no-such-page/", HTTP_X_REQUEST_ID="lost-1")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    lines = [json.loads(line) for line in records]
    assert lines and lines[-1]["request_id"] == "lost-1"
    assert lines[-1]["status_code"] == 404


def test_json_formatter_outputs_one_object_per_line_with_exception():
    formatter = JsonFormatter()
    try:
        raise ValueError("boom 测试")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info(), extra={"batch": "b1"}
        )
    text = formatter.format(record)
    assert len(text.splitlines()) == 1  # the traceback is escaped inside the JSON string
    entry = json.loads(text)
    assert entry["message"] == "failed here" and entry["batch"] == "b1"
    assert "ValueError: boom 测试" in entry["exception"]


@pytest.mark.django_db
def test_api_docs_page_renders_under_the_content_security_policy():
    user = get_user_model().objects.create_user("reader", password="pw-long-enough-1")
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
    page = response.content.decode()
    # swagger-ui comes from the hub's own static files (sidecar), which the policy allows.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert "Content-Security-Policy" not in schema  # not an HTML page


@pytest.mark.django_db
def test_json_api_responses_carry_no_csp_but_do_carry_nosniff():
    _system, client = make_system()
    response = client.get("/api/v1/access/me/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_admin_login_is_locked_after_repeated_failures_and_api_keys_are_unaffected(settings):
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_user("officer", password="correct-horse-battery", is_staff=True)
    browser = Client()
    for _attempt in range(3):
        response = browser.post("/admin/login/", {"username": "officer", "password": "wrong"})
        assert response.status_code in (200, 429)
    # Locked out: even the right password is refused now.
    locked = browser.post("/admin/login/", {"username": "officer", "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in browser.session
    # Another user from the same address is not locked (username + address pair).
    get_user_model().objects.create_user("other", password="correct-horse-battery", is_staff=True)
    ok = Client().post("/admin/login/", {"username": "other", "password": "correct-horse-battery"})
    assert ok.status_code == 302
    # API-key calls never touch the login lockout.
    _system, api = make_system()
    for _ in range(5):
        api.credentials(HTTP_AUTHORIZATION="Api-Key bad.key")
        assert api.get("/api/v1/access/me/").status_code == 401
    _system, api = make_system()
    assert api.get("/api/v1/access/me/").status_code == 200


@pytest.mark.django_db
def test_successful_admin_login_still_works():
    get_user_model().objects.create_user("clerk", password="correct-horse-battery", is_staff=True)
    browser = Client()
    response = browser.post("/admin/login/", {"username": "clerk", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert browser.get("/admin/").status_code == 200
