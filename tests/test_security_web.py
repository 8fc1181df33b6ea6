"""Web hardening: headers and CSP, CORS only between the store's nodes, CSRF on
cookie forms, no card numbers, secrets from files, and check --deploy clean."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from security.pan import looks_like_pan, luhn_ok
from sync.models import Change
from tests.personas import order_body

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/register/", "/kitchen/", "/pair/", "/register/manager/", "/admin/login/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_security_headers_and_no_inline_script(demo, client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response  # plain http: HSTS would mean nothing
    for tag in re.findall(r"<script\b[^>]*>", response.content.decode()):
        # json_script data blocks are never executed; every script is a file
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_no_api_answer_is_kept_in_a_browsers_cache(register_client):
    # A stolen tablet's disk cache must not hold the menu, orders or staff answers.
    for path in ("/api/menu", "/api/orders", "/api/health"):
        assert register_client.get(path)["Cache-Control"] == "no-store", path
    assert Client().get("/api/menu")["Cache-Control"] == "no-store"  # refusals too


def test_hsts_is_sent_over_tls(demo, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/register/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_cross_origin_request_from_outside_the_stores_nodes_is_refused(register_client, settings):
    settings.POS_PEERS = ["http://10.0.0.2:8000"]
    preflight = register_client.options(
        "/api/orders", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 403 and "Access-Control-Allow-Origin" not in preflight
    simple = register_client.get("/api/menu", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in simple  # the browser keeps the answer from the foreign page
    sibling = register_client.options(
        "/api/orders", headers={"Origin": "http://10.0.0.2:8000", "Access-Control-Request-Method": "POST"}
    )
    assert sibling.status_code == 204 and sibling["Access-Control-Allow-Origin"] == "http://10.0.0.2:8000"


def test_a_sync_call_with_another_stores_key_is_refused(client, demo):
    from tests.replication_fixtures import signed_post

    response, _ = signed_post(client, "/api/sync/pull", {"vector": {}}, key="key-of-another-store")
    assert response.status_code == 401
    response, _ = signed_post(client, "/api/sync/push", {"changes": []}, key="key-of-another-store")
    assert response.status_code == 401


def test_a_cookie_form_without_its_csrf_token_is_refused(db):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 403


@pytest.mark.parametrize("reference", ["4111 1111 1111 1111", "4111-1111-1111-1111", "card 5555555555554444 ok"])
def test_a_card_number_is_refused_and_nothing_recorded(register_client, reference):
    body = order_body()
    body["payments"] = [{"method": "card", "amount": body.get("total", 0) or 5000, "reference": reference}]
    before = Change.objects.count()
    response = register_client.post("/api/orders", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "payments[0].reference" in response.json()["detail"] and "カード番号" in response.json()["detail"]  # Japanese first
    assert Change.objects.count() == before


def test_numbers_that_are_not_card_numbers_pass():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert not looks_like_pan("4111 1111 1111 1112")  # fails Luhn
    assert not looks_like_pan("APPROVAL 123456")  # an approval code
    assert not looks_like_pan("2026-11-23T12:00:00+09:00")
    assert not looks_like_pan("09012345678")  # a phone number
    # A kiosk's idempotency key: "3489-4498-9143-40" is 14 Luhn-valid digits.
    assert not looks_like_pan("qr-7ee5e857-3489-4498-9143-40ff813fb5cd")
    assert not looks_like_pan("digest 3fa41234567890123452bc9e0d1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b")
    assert looks_like_pan("qr-4111111111111111") and looks_like_pan("card 4111-1111-1111-1111 please")


def run_manage(*args: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("POS_", "DJANGO_", "SECRET_KEY"))}
    base.update(DJANGO_SETTINGS_MODULE="posweb.settings", POS_DATA_DIR=str(tmp_path), POS_WORKERS="0", **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


# The TLS deployment SECURITY.md documents.
TLS_ENV = {
    "POS_DEMO": "0",
    "POS_TLS": "1",
    "SECRET_KEY": "k3y-" + "x7Qp9vR2sT5wY8zA1bC4dE6fG0hJ3kL5mN7pQ9rS2tU4vW6xY8z",
    "POS_SYNC_KEY": "store-S001-sync-key-from-the-vault",
}


def test_check_deploy_passes_with_the_documented_tls_settings(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=TLS_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secrets_can_come_from_files(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text(TLS_ENV["SECRET_KEY"] + "\n")
    env = {**TLS_ENV, "SECRET_KEY_FILE": str(secret)}
    del env["SECRET_KEY"]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert TLS_ENV["SECRET_KEY"] not in result.stdout + result.stderr  # never logged


@pytest.mark.parametrize("missing", ["SECRET_KEY", "POS_SYNC_KEY"])
def test_a_store_refuses_to_start_with_a_default_secret_outside_demo_mode(tmp_path, missing):
    env = {k: v for k, v in TLS_ENV.items() if k != missing}
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and f"POS_DEMO=0 needs a real {missing}" in result.stderr


def test_the_api_docs_page_allows_only_its_own_inline_script(client, db):
    import base64
    import hashlib

    response = client.get("/api/docs")
    html = response.content.decode()
    inline = [body for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S) if not attrs.strip()]
    assert inline  # Swagger UI's starter
    csp = response["Content-Security-Policy"]
    for body in inline:
        assert "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "cdn.jsdelivr.net" not in client.get("/register/")["Content-Security-Policy"]
