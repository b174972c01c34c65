import json

from tests.conftest import client_for


def test_healthz_is_up_on_public_and_workspace_hosts(ws_a):
    assert client_for(None).get("/healthz").status_code == 200
    assert client_for(ws_a).get("/healthz").status_code == 200


def test_readyz_reports_database_redis_and_migrations(ws_a):
    # when
    response = client_for(ws_a).get("/readyz")
    # then
    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": True, "pending": [], "ms": body["checks"]["migrations"]["ms"]}


def test_readyz_answers_503_when_redis_is_down(ws_a, monkeypatch):
    # given
    from saas_platform import health

    def down():
        raise ConnectionError("redis down")

    monkeypatch.setattr(health, "_check_redis", down)
    # when
    response = client_for(None).get("/readyz")
    # then
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["redis"] == {
        "ok": False, "error": "ConnectionError", "ms": json.loads(response.content)["checks"]["redis"]["ms"]}
