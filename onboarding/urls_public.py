"""Public-site onboarding URLs (included from saas_platform/urls_public.py)."""

from django.urls import path

from onboarding import views_public

urlpatterns = [
    path("pricing/", views_public.pricing, name="pricing"),
    path("signup/", views_public.signup, name="signup"),
    path("signup/check-address/", views_public.check_address, name="signup_check_address"),
    path("signup/jobs/<int:job_id>/", views_public.progress, name="signup_progress"),
    path("signup/jobs/<int:job_id>/status/", views_public.progress_status, name="signup_progress_status"),
    path("signup/jobs/<int:job_id>/retry/", views_public.retry, name="signup_retry"),
]
