"""What the offline register relies on from a node: register-numbered sales,
CORS for the store's own nodes only, the service worker and the manifest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client, override_settings

from stores import numbers
from tests.personas import order_body


def test_register_lanes_never_meet_node_lanes():
    node_numbers = {n for lane in range(numbers.LANES) for n in range(*numbers.lane_range(lane))}
    for name in ["register-1", "register-2", "register-90", "front-counter", "kiosk"]:
        low, high = numbers.lane_range(numbers.lane_for_register(name))
        assert low > max(node_numbers)
        assert high <= 99_999
    assert numbers.lane_for_register("register-1") != numbers.lane_for_register("register-2")


def test_it_keeps_the_number_an_offline_register_called(register_client):
    body = order_body(number=10_007)
    response = register_client.post("/api/orders", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 10_007
    again = register_client.post("/api/orders", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["number"] == 10_007


def test_it_refuses_a_number_outside_the_registers_block(register_client):
    body = order_body(number=42)  # a node's number, not register-1's
    response = register_client.post("/api/orders", body, content_type="application/json")
    assert response.status_code == 422
    assert "10001..10999" in response.json()["detail"]
    assert register_client.get(f"/api/orders/{body['id']}").status_code == 404


def test_an_order_without_a_number_still_gets_the_nodes_number(register_client):
    body = order_body()
    response = register_client.post("/api/orders", body, content_type="application/json")
    assert response.status_code == 201
    assert 1 <= response.json()["number"] <= 9_999
    assert register_client.post("/api/orders", body, content_type="application/json").status_code == 200


@override_settings(POS_PEERS=["http://10.0.0.2:8000"])
@pytest.mark.parametrize("origin", ["http://10.0.0.2:8000", "http://testserver"])
def test_a_store_node_may_call_the_api_cross_origin(register_client, origin):
    preflight = Client().options(
        "/api/orders",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"},
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == origin
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    response = register_client.get("/api/menu", headers={"Origin": origin})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == origin


@override_settings(POS_PEERS=["http://10.0.0.2:8000"])
@pytest.mark.parametrize("origin", ["http://evil.example", "http://10.0.0.2:9000", "https://10.0.0.2:8000", "null"])
def test_a_foreign_origin_gets_no_cors_grant(register_client, origin):
    preflight = Client().options("/api/orders", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403
    assert "Access-Control-Allow-Origin" not in preflight
    response = register_client.get("/api/menu", headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in response


def test_the_service_worker_is_served_at_the_root_never_cached(demo):
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    text = response.content.decode()
    assert '"/register/"' in text and '"/static/pos/register.js"' in text and '"/static/pos/outbox.js"' in text
    assert "/static/admin/" not in text


def _register_modules() -> set[str]:
    """Every static/pos/ module register.js loads, directly or through another."""
    root = Path(__file__).resolve().parent.parent / "static" / "pos"
    found: set[str] = set()
    todo = ["register.js"]
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo += re.findall(r'^import [^;]*? from "\./([\w.-]+\.js)";', (root / name).read_text(), re.MULTILINE)
    return found


def test_the_service_worker_precaches_every_module_the_register_loads(demo):
    """The register opens with no node only if its whole module graph is cached."""
    text = Client().get("/sw.js").content.decode()
    modules = _register_modules()
    assert {"register.js", "outbox.js", "cart.js", "failover.js"} <= modules
    for module in modules:
        assert f'"/static/pos/{module}"' in text, module


def test_a_new_release_changes_the_service_worker(demo):
    from registers import views

    first = Client().get("/sw.js").content
    with override_settings(POS_RELEASE="next"):
        second = Client().get("/sw.js").content
    assert first != second
    assert views.app_version() in first.decode()


def test_the_manifest_makes_the_register_installable(demo):
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == "/register/" and data["display"] == "standalone"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        png = Client().get(icon["src"])
        assert png.status_code == 200
        assert b"".join(png.streaming_content if png.streaming else [png.content]).startswith(b"\x89PNG")


def test_the_register_page_links_the_manifest_and_knows_its_block(demo):
    response = Client().get("/register/")
    html = response.content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    config = json.loads(html.split('id="pos-config" type="application/json">')[1].split("</script>")[0])
    assert config["lane"] == numbers.lane_for_register(config["register"])
    assert config["version"]
