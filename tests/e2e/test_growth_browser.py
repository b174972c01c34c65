"""A real browser: create a campaign and record its cost, then see every growth report draw its chart."""

from decimal import Decimal

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_shell_browser import _login

pytestmark = pytest.mark.browser
M = Decimal(1_000_000)


@pytest.fixture(scope="module")
def growth_rows(workspaces, django_db_blocker):
    """Committed before the browser starts and removed after it (the ORM refuses to run beside its loop)."""
    import datetime

    from django.utils import timezone
    from django_tenants.utils import schema_context

    from modules.audit.models import AuditEntry
    from modules.crm.models import Campaign, Deal, Quota, SalesTeam, TeamMember
    from tests.crm.factories import DealFactory, PartyFactory, stage

    owner = workspaces["b"].users["owner"]
    with django_db_blocker.unblock(), schema_context("beta"):
        now = timezone.now()
        party = PartyFactory(name="Công ty Hướng Dương")
        DealFactory(party=party, stage=stage("won"), value=50 * M, closed_at=now, owner_id=owner.pk)
        DealFactory(party=party, stage=stage("open", 2), value=80 * M, owner_id=owner.pk,
                    expected_close=(now + datetime.timedelta(days=35)).date())
        team = SalesTeam.objects.create(name="Nhóm Hướng Dương", manager_id=owner.pk)
        TeamMember.objects.create(team=team, user_id=owner.pk)
        Quota.objects.create(team=team, user_id=owner.pk, month=timezone.localdate().replace(day=1), amount=100 * M)
    yield
    with django_db_blocker.unblock(), schema_context("beta"):
        Campaign.objects.all().delete()
        Deal.objects.filter(party=party).delete()
        party.delete()
        team.delete()
        AuditEntry.objects.filter(action__startswith="campaign.").delete()


def _chart_drawn(page) -> bool:
    return page.evaluate("() => !!window.Chart.getChart(document.querySelector('canvas[data-chart]'))")


def test_campaign_cost_and_growth_reports_draw_their_charts(growth_rows, page, live_url):
    # given
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = live_url.format(host="beta.")
    _login(page, base, "owner@beta.test")
    # when: a campaign is created and its first cost entered
    page.goto(f"{base}/crm/campaigns/new/")
    page.fill("input[name=name]", "Facebook tháng 3")
    page.select_option("select[name=channel]", "facebook")
    page.fill("input[name=utm_campaign]", "facebook-thang-3")
    page.fill("input[name=budget]", "30000000")
    page.click("form.form-grid button.btn")
    page.wait_for_selector("[data-testid=campaign-results]")
    page.fill("input[name=amount]", "7500000")
    page.click("form[action$='/costs/'] button.btn")
    page.wait_for_selector("[data-testid=cost-ledger]")
    # then: the ledger and the monthly chart
    assert "7.500.000" in page.locator("[data-testid=cost-ledger]").inner_text()
    assert _chart_drawn(page)
    screenshot(page, "crm-campaign")
    # and every report draws its chart
    for path, name in (("/crm/forecast/", "crm-forecast"), ("/crm/teams/leaderboard/", "crm-leaderboard"),
                       ("/crm/segments/", "crm-segments")):
        page.goto(f"{base}{path}")
        page.wait_for_selector("canvas[data-chart]")
        assert _chart_drawn(page), path
        screenshot(page, name)
    assert errors == []
