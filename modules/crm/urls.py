"""CRM URLs on workspace hosts: each area's views module carries its own ``urlpatterns``."""

from modules.crm.views import sales

urlpatterns: list = [
    *sales.urlpatterns,
]
