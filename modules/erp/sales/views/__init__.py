"""Sales pages under /erp/sales/, one module per screen; each has its own ``urlpatterns``, gathered here."""

from modules.erp.sales.views import documents, editing, orders

urlpatterns = [*orders.urlpatterns, *editing.urlpatterns, *documents.urlpatterns]
