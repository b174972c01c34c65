"""CRM URLs on workspace hosts: each area's views module carries its own ``urlpatterns``."""

from modules.crm.views import campaigns as campaign_views
from modules.crm.views import forecast as forecast_views
from modules.crm.views import imports as imports_views
from modules.crm.views import sales
from modules.crm.views import segments as segment_views
from modules.crm.views import teams as team_views
from modules.crm.views import tickets as tickets_views

urlpatterns: list = [
    *campaign_views.urlpatterns, *forecast_views.urlpatterns, *segment_views.urlpatterns, *team_views.urlpatterns,
    *imports_views.urlpatterns,
    *sales.urlpatterns,
    *tickets_views.urlpatterns,
]
