"""Inventory pages, one module per screen; each has its own ``urlpatterns``, gathered here under /erp/inventory/."""

from django.urls import include, path

urlpatterns = [
    path("", include("modules.erp.inventory.views.stock")),
    path("moves/", include("modules.erp.inventory.views.moves")),
    path("operations/", include("modules.erp.inventory.views.operations")),
    path("warehouses/", include("modules.erp.inventory.views.warehouses")),
    path("counts/", include("modules.erp.inventory.views.counts")),
    path("reorder-rules/", include("modules.erp.inventory.views.reorder")),
    path("lots/", include("modules.erp.inventory.views.lots")),
]
