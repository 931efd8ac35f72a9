from django.core.management import call_command


def test_openapi_schema_is_valid_and_has_no_warnings(tmp_path, db):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/population/persons/{key}/" in text
    assert "ApiKeyAuth" in text
