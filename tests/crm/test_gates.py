"""Each CRM page is gated by its feature: Starter sees parties, leads, one pipeline, activities, import and
export and the basic dashboard; everything else is locked with an upgrade prompt, page and menu alike."""

import pytest
from django.urls import reverse

from billing.services import subscription_change_plan
from tests.conftest import client_for

STARTER_PAGES = ["crm_dashboard", "party_list", "lead_list", "deal_board", "deal_list", "my_day", "import_list"]
GROWTH_PAGES = ["ticket_list", "campaign_list", "forecast", "sales_team_list", "segments", "pipeline_create"]
GROWTH_MENU = ["tickets", "campaigns", "forecast", "sales-teams", "segments"]


def _starter(ws):
    keep = [ws.membership(role).pk for role in ("owner", "admin", "member")]
    subscription_change_plan(tenant=ws.tenant, plan_code="starter", actor=ws.users["owner"], keep_member_ids=keep)


def _url(name):
    return reverse(name, urlconf="saas_platform.urls_tenant")


@pytest.mark.parametrize("name", STARTER_PAGES)
def test_starter_pages_open_on_starter(ws_a, name):
    _starter(ws_a)
    assert client_for(ws_a, ws_a.users["owner"]).get(_url(name)).status_code == 200


@pytest.mark.parametrize("name", GROWTH_PAGES)
def test_growth_pages_are_upgrade_pages_on_starter_and_open_on_growth(ws_a, name):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    on_growth = client.get(_url(name))
    _starter(ws_a)
    on_starter = client.get(_url(name))
    # then
    assert on_growth.status_code == 200
    assert on_starter.status_code == 402
    assert 'href="/billing/change/growth/"' in on_starter.content.decode()


def test_growth_menu_entries_show_a_lock_on_starter(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    growth_menu = client.get("/").content.decode()
    _starter(ws_a)
    starter_menu = client.get("/").content.decode()
    # then
    assert [key for key in GROWTH_MENU if f'data-locked="{key}"' in starter_menu] == GROWTH_MENU
    assert [key for key in GROWTH_MENU if f'data-locked="{key}"' in growth_menu] == []
    assert 'data-locked="deals"' not in starter_menu


def test_viewers_read_the_crm_but_cannot_write(ws_a):
    client = client_for(ws_a, ws_a.users["viewer"])
    assert client.get("/crm/deals/").status_code == 200
    assert client.post("/crm/leads/new/", {"name": "x"}).status_code == 403
