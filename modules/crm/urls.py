"""CRM URLs on workspace hosts: each area's views module carries its own ``urlpatterns``."""

urlpatterns: list = []
