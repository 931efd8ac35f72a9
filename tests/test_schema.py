from django.core.management import call_command


def test_openapi_schema_is_valid_and_has_no_warnings(tmp_path, db):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/population/persons/{key}/" in text
    assert "ApiKeyAuth" in text


def test_api_speaks_english_by_default_and_chinese_on_request(client):
    assert (
        client.get("/api/v1/access/me/").json()["detail"] == "Authentication credentials were not provided."
    )
    chinese = client.get("/api/v1/access/me/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["detail"]
    assert chinese != "Authentication credentials were not provided."
    page = client.get("/admin/login/")
    assert 'lang="zh-hans"' in page.content.decode()
