from django.core.management import call_command


def test_openapi_schema_is_valid_and_has_no_warnings(tmp_path, db):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/population/persons/{key}/" in text
    assert "ApiKeyAuth" in text


def test_api_speaks_english_by_default_and_chinese_on_request(client, db):  # calls are audited
    assert (
        client.get("/api/v1/access/me/").json()["detail"] == "Authentication credentials were not provided."
    )
    chinese = client.get("/api/v1/access/me/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["detail"]
    assert chinese != "Authentication credentials were not provided."
    page = client.get("/admin/login/")
    assert 'lang="zh-hans"' in page.content.decode()


def test_every_record_history_counts_past_32_bits(db):
    """85 million persons, a version per change: no record's history may stop at 2,147,483,647."""
    from django.apps import apps
    from django.db import connection

    from hub.records.models import BaseRecord

    records = [m for m in apps.get_models() if issubclass(m, BaseRecord)]
    assert len(records) >= 8  # persons, licences, credit and geodata records
    for model in records:
        history = model.history.model
        assert history._meta.pk.get_internal_type() == "BigAutoField", history
        if connection.vendor != "postgresql":
            continue  # SQLite's integer keys are 64-bit already, and introspect as AutoField
        with connection.cursor() as cursor:
            columns = connection.introspection.get_table_description(cursor, history._meta.db_table)
        column = next(c for c in columns if c.name == "history_id")
        assert connection.introspection.get_field_type(column.type_code, column) == "BigAutoField", history
