"""Accounting pages under /erp/accounting/, one module per screen; each has its own ``urlpatterns``, gathered
here."""

from modules.erp.accounting.views import dashboard, entries, reports, setup

urlpatterns = [*dashboard.urlpatterns, *setup.urlpatterns, *entries.urlpatterns, *reports.urlpatterns]
