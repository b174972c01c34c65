"""The UI shell: navigation from what exists, the switcher, the language switch."""

import re

from django.core.management import call_command
from django.urls import reverse

from tenants.models import Membership
from tests.conftest import client_for


def test_navigation_links_only_to_pages_that_exist(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    page = client.get("/").content.decode()
    # when
    links = re.findall(r'data-nav="[^"]+"|href="(/[^"]*)" class="[^"]*" data-nav', page)
    hrefs = re.findall(r'<a href="(/[^"]*)" class="[^"]*" data-nav="([^"]+)"', page)
    # then
    assert {key for _href, key in hrefs} >= {"dashboard", "team", "security"}
    assert links
    for href, _key in hrefs:  # a page may first send the owner to set it up (accounting): it must still open
        assert client.get(href, follow=True).status_code == 200, href


def test_viewer_navigation_hides_nothing_it_may_read(ws_a):
    page = client_for(ws_a, ws_a.users["viewer"]).get("/").content.decode()
    assert 'data-nav="team"' in page


def test_switcher_lists_the_other_workspaces_and_hops_signed_in(ws_a, ws_b):
    # given: one person in both workspaces
    person = ws_a.users["manager"]
    Membership.objects.create(tenant=ws_b.tenant, user=person, role="member")
    client = client_for(ws_a, person)
    # when
    page = client.get("/").content.decode()
    hop = client.get(reverse("workspace_switch", args=["beta"], urlconf="saas_platform.urls_tenant"))
    on_b = client_for(ws_b)
    landed = on_b.get(hop["Location"].split(".localhost", 1)[1].lstrip(":0123456789"))
    # then
    assert "Workspace beta" in page
    assert hop.status_code == 302
    assert "://beta.localhost/hop/?t=" in hop["Location"]
    assert landed.status_code == 302
    assert on_b.get("/").status_code == 200


def test_switch_to_a_workspace_you_are_not_in_is_refused(ws_a):
    # when
    response = client_for(ws_a, ws_a.users["owner"]).get("/switch/beta/")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_vietnamese_is_the_default_and_english_is_one_click_away(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    default = client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    # then
    assert '<html lang="vi">' in default
    assert "Bảng điều khiển" in default
    assert '<html lang="en">' in english
    assert "Dashboard" in english


def test_deploy_checks_are_clean(settings, capsys):
    # given: production values (the test settings relax TLS)
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    # when / then: raises SystemCheckError on any warning
    call_command("check", "--deploy", "--fail-level", "WARNING")
