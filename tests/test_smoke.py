from tests.conftest import client_for


def test_owner_sees_the_dashboard(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    response = client.get("/")
    # then
    assert response.status_code == 200
    assert ws_a.tenant.name in response.content.decode()
