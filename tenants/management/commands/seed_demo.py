"""Seed a vendor admin and a demo workspace with a member login (idempotent)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import tenant_context

from modules.erp.demo import erp_demo_seed
from onboarding.registry import template_apply
from onboarding.services import questionnaire_save
from tenants.models import Membership, Tenant
from tenants.provisioning import tenant_provision
from tenants.roles import Role
from tenants.services import user_create

User = get_user_model()

LOGINS = {
    "vendor": ("admin@example.com", "vendor-admin-pass"),
    "owner": ("owner@demo.example.com", "demo-owner-pass"),
    "member": ("member@demo.example.com", "demo-member-pass"),
}


def _user(email: str, password: str, *, staff: bool = False):
    user = User.objects.filter(email__iexact=email).first() or user_create(email=email, password=password,
                                                                           verified=True)
    if staff and not user.is_staff:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user


DEMO_ANSWERS = {"business_type": "services", "stage": "growth", "headcount": 8, "branches": 1,
                "multinational": False, "characteristics": ["4.3.1", "4.3.3"], "pains": ["3.crm.1", "3.crm.6"]}


class Command(BaseCommand):
    help = "Create the vendor admin and the 'demo' workspace (owner + member) if they are missing."

    def handle(self, *args, **options):
        with transaction.atomic():
            _user(*LOGINS["vendor"], staff=True)
            owner = _user(*LOGINS["owner"])
            member = _user(*LOGINS["member"])
        tenant = Tenant.objects.filter(schema_name="demo").first()
        if tenant is None:
            # On a Scale trial, so the demo shows the paid modules and the trial banner.
            tenant, from_pool = tenant_provision(name="Công ty Demo", slug="demo", owner=owner, plan_code="scale",
                                                 trial=True)
            self.stdout.write(f"demo workspace created ({'from pool' if from_pool else 'built'})")
        Membership.objects.get_or_create(tenant=tenant, user=member, defaults={"role": Role.MEMBER})
        # Answered as a small services company, with sample customers, leads and deals to click through
        # (applied once; "Remove sample data" on the dashboard takes them away).
        profile = questionnaire_save(tenant=tenant, actor=owner, answers=DEMO_ANSWERS)
        if not profile.applied_parts:
            template_apply(tenant=tenant, business_type="services", sample_data=True, actor=owner)
        with tenant_context(tenant):
            if erp_demo_seed(actor=owner):
                self.stdout.write("demo ERP data: products, stock, orders")
        for role, (email, password) in LOGINS.items():
            self.stdout.write(f"  {role:7s} {email} / {password}")
