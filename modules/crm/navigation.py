"""The CRM's menu entries. An entry whose page is not routed is not shown; a feature outside the
workspace's plan shows a lock that leads to the upgrade page."""

from django.utils.translation import gettext_lazy as _

from saas_platform.navigation import NavItem, nav_register

CRM_NAV = [
    NavItem(key="crm-dashboard", label=_("Sales overview"), url_name="crm_dashboard", icon="chart",
            module="crm", feature="crm.dashboard", order=10),
    NavItem(key="parties", label=_("Companies & contacts"), url_name="party_list", icon="building",
            module="crm", feature="crm.contacts", order=11),
    NavItem(key="leads", label=_("Leads"), url_name="lead_list", icon="inbox", module="crm", feature="crm.leads",
            order=12),
    NavItem(key="deals", label=_("Deals"), url_name="deal_board", icon="kanban", module="crm", feature="crm.pipeline",
            order=13),
    NavItem(key="activities", label=_("My day"), url_name="my_day", icon="calendar", module="crm",
            feature="crm.activities", order=14),
    NavItem(key="tickets", label=_("Support tickets"), url_name="ticket_list", icon="lifebuoy", module="crm",
            feature="crm.tickets", order=20),
    NavItem(key="campaigns", label=_("Campaigns"), url_name="campaign_list", icon="megaphone", module="crm",
            feature="crm.campaigns", order=21),
    NavItem(key="forecast", label=_("Forecast"), url_name="forecast", icon="chart", module="crm",
            feature="crm.forecasting", order=22),
    NavItem(key="sales-teams", label=_("Sales teams"), url_name="sales_team_list", icon="users", module="crm",
            feature="crm.teams", order=23),
    NavItem(key="segments", label=_("Segments"), url_name="segments", icon="pie", module="crm",
            feature="crm.segments", order=24),
    NavItem(key="imports", label=_("Import & export"), url_name="import_list", icon="upload", module="crm",
            feature="crm.import_export", order=30),
]

for item in CRM_NAV:
    nav_register(item)
