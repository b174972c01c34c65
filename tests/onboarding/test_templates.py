"""Industry templates (one registry of module parts, idempotent, applied again on upgrade), sample data, and the
getting-started checklist on the dashboard."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from billing.entitlements import entitlements_for, entitlements_forget
from billing.models import Plan, Subscription
from billing.services import subscription_change_plan
from modules.crm.models import (
    Activity,
    Deal,
    ImportJob,
    Lead,
    LeadSource,
    LostReason,
    Pipeline,
    ScoringRule,
    Stage,
    TicketCategory,
)
from modules.erp.catalog.models import Unit
from modules.erp.catalog.services import product_create
from modules.erp.inventory.models import Location
from modules.parties.models import Party
from onboarding.checklist import checklist_dismiss, checklist_for, checklist_progress, onboarding_card
from onboarding.models import OnboardingProfile
from onboarding.parts.crm import SAMPLE_TAG, crm_template_apply
from onboarding.registry import PARTS, sample_data_remove, template_apply, template_apply_new_features, template_part
from tenants.errors import TenantError
from tenants.models import Membership
from tests.conftest import client_for
from tests.crm.factories import ActivityFactory, DealFactory, PartyFactory
from tests.erp.factories import order, stock

ERP_FIRST = {"phases": [["erp_operations"], ["erp_finance"], ["crm", "integration"]]}


def _counts(tenant) -> dict:
    with tenant_context(tenant):
        return {model.__name__: model.objects.count() for model in (
            Pipeline, Stage, LeadSource, TicketCategory, LostReason, ScoringRule, Party, Deal, Lead, Activity)}


def _on_plan(tenant, code: str) -> None:
    Subscription.objects.filter(tenant=tenant).update(plan=Plan.objects.get(code=code))
    entitlements_forget(tenant.pk)


@pytest.fixture
def support_part():
    """A test-only part gated by a Growth feature (support tickets), removed from the registry afterwards."""

    @template_part("support_test", feature="crm.tickets")
    def apply(*, business_type: str, sample_data: bool) -> None:
        TicketCategory.objects.get_or_create(name=f"Hỗ trợ ({business_type})")

    yield apply
    PARTS.pop("support_test")


def test_applying_manufacturing_configures_its_pipeline_sources_and_categories(ws_a):
    # given a deal in the pipeline every workspace starts with
    with tenant_context(ws_a.tenant):
        existing = DealFactory()
    # when
    applied = template_apply(tenant=ws_a.tenant, business_type="manufacturing", actor=ws_a.users["owner"])
    # then
    connection.set_tenant(ws_a.tenant)
    pipeline = Pipeline.objects.get(is_default=True)
    assert applied == ["crm:manufacturing", "catalog:manufacturing", "inventory:manufacturing",
                       "accounting:manufacturing"]
    assert pipeline.name == "Bán hàng sản xuất"
    assert [stage.name for stage in pipeline.stages.all()] == [
        "Yêu cầu báo giá", "Khảo sát kỹ thuật", "Báo giá", "Mẫu thử", "Đàm phán", "Thắng", "Thua"]
    assert [stage.kind for stage in pipeline.stages.all()][-2:] == ["won", "lost"]
    assert {"trade-fair", "dealer", "referral", "tender"} <= set(LeadSource.objects.values_list("code", flat=True))
    categories = set(TicketCategory.objects.values_list("name", flat=True))
    assert {"Chất lượng sản phẩm", "Bảo hành", "Giao hàng"} <= categories
    assert LostReason.objects.filter(name="Mẫu thử không đạt").exists()
    assert Pipeline.objects.filter(name="Bán hàng", is_default=False).exists()  # kept, no longer default
    assert Deal.objects.get(pk=existing.pk).pipeline_id == existing.pipeline_id
    profile = OnboardingProfile.objects.get(tenant=ws_a.tenant)
    assert (profile.business_type, profile.applied_parts) == (
        "manufacturing",
        ["crm:manufacturing", "catalog:manufacturing", "inventory:manufacturing", "accounting:manufacturing"])
    assert set(Location.objects.values_list("code", flat=True)) == {"STOCK", "NVL", "BTP", "TP"}


def test_applying_twice_changes_nothing(ws_a):
    # given
    template_apply(tenant=ws_a.tenant, business_type="ecommerce", actor=ws_a.users["owner"])
    before = _counts(ws_a.tenant)
    # when the template is applied again, and the part itself runs again
    again = template_apply(tenant=ws_a.tenant, business_type="ecommerce", actor=ws_a.users["owner"])
    with tenant_context(ws_a.tenant):
        crm_template_apply(business_type="ecommerce", sample_data=False)
    # then
    assert again == []
    assert _counts(ws_a.tenant) == before
    assert OnboardingProfile.objects.get(tenant=ws_a.tenant).applied_parts == [
        "crm:ecommerce", "catalog:ecommerce", "inventory:ecommerce", "accounting:ecommerce"]
    with tenant_context(ws_a.tenant):
        assert {"shopee", "lazada", "tiktok-shop"} <= set(LeadSource.objects.values_list("code", flat=True))
        assert Pipeline.objects.get(is_default=True).name == "Bán sỉ thương mại điện tử"


def test_every_business_type_has_a_working_pipeline(ws_a):
    # given the six business types, applied one after the other
    types = ["sme", "services", "ecommerce", "enterprise", "other", "manufacturing"]
    # when
    applied = [template_apply(tenant=ws_a.tenant, business_type=code) for code in types]
    # then each pipeline has open stages then exactly one won and one lost stage; the last applied is default
    connection.set_tenant(ws_a.tenant)
    assert applied == [[f"crm:{code}", f"catalog:{code}", f"inventory:{code}", f"accounting:{code}"] for code in types]
    kinds = {pipeline.name: [stage.kind for stage in pipeline.stages.all()] for pipeline in Pipeline.objects.all()}
    assert all(kind[-2:] == ["won", "lost"] and set(kind[:-2]) == {"open"} for kind in kinds.values())
    assert len(kinds) == 6  # "other" reuses the general "Bán hàng" pipeline
    assert Pipeline.objects.filter(is_default=True).count() == 1


def test_starter_gets_parts_of_its_features_and_an_upgrade_applies_the_rest(ws_a, support_part,
                                                                            django_capture_on_commit_callbacks):
    # given a Starter workspace set up as a services business
    _on_plan(ws_a.tenant, "starter")
    first = template_apply(tenant=ws_a.tenant, business_type="services", actor=ws_a.users["owner"])
    # when the owner upgrades to Growth (support tickets)
    with django_capture_on_commit_callbacks(execute=True):
        subscription_change_plan(tenant=ws_a.tenant, plan_code="growth", actor=ws_a.users["owner"])
    # then
    assert first == ["crm:services"]
    assert OnboardingProfile.objects.get(tenant=ws_a.tenant).applied_parts == [
        "crm:services", "catalog:services", "inventory:services", "accounting:services", "support_test:services"]
    with tenant_context(ws_a.tenant):
        assert TicketCategory.objects.filter(name="Hỗ trợ (services)").exists()
    assert template_apply_new_features(tenant=ws_a.tenant) == []


def test_a_workspace_not_yet_set_up_is_left_to_its_owner_on_upgrade(ws_a, django_capture_on_commit_callbacks):
    # given a Starter workspace that has not chosen its template
    _on_plan(ws_a.tenant, "starter")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        subscription_change_plan(tenant=ws_a.tenant, plan_code="growth", actor=ws_a.users["owner"])
    # then
    assert not OnboardingProfile.objects.filter(tenant=ws_a.tenant).exists()


def test_sample_data_is_marked_and_removing_it_leaves_user_records_untouched(ws_a):
    # given the user's own records
    with tenant_context(ws_a.tenant):
        mine = PartyFactory(name="Công ty của tôi")
        my_deal = DealFactory(party=mine)
    # when a template brings sample data, and the user works with one sample company
    template_apply(tenant=ws_a.tenant, business_type="manufacturing", sample_data=True, actor=ws_a.users["owner"])
    with tenant_context(ws_a.tenant):
        sample_company = Party.objects.get(name="[Mẫu] Công ty TNHH Cơ khí Minh Phát")
        deal_on_sample = DealFactory(party=sample_company, title="Đơn thật")
        note_on_sample = ActivityFactory(party=sample_company, subject="Cuộc gọi thật")
        created = {"parties": Party.objects.filter(tags__contains=[SAMPLE_TAG]).count(),
                   "deals": Deal.objects.filter(title__startswith="[Mẫu] ").count(),
                   "leads": Lead.objects.filter(name__startswith="[Mẫu] ").count(),
                   "activities": Activity.objects.filter(subject__startswith="[Mẫu] ").count()}
    removed = sample_data_remove(tenant=ws_a.tenant, actor=ws_a.users["owner"])
    # then
    assert created == {"parties": 5, "deals": 3, "leads": 2, "activities": 3}
    assert removed == {"activities": 3, "deals": 3, "leads": 2, "parties": 4}
    connection.set_tenant(ws_a.tenant)
    assert set(Deal.objects.values_list("pk", flat=True)) == {my_deal.pk, deal_on_sample.pk}
    assert set(Party.objects.values_list("pk", flat=True)) == {mine.pk, sample_company.pk}  # one still used
    assert list(Activity.objects.values_list("pk", flat=True)) == [note_on_sample.pk]
    assert Lead.objects.count() == 0
    assert Pipeline.objects.get(is_default=True).name == "Bán hàng sản xuất"  # configuration stays
    assert OnboardingProfile.objects.get(tenant=ws_a.tenant).sample_data is False


def _keys_done(tenant, profile=None) -> dict:
    return {step["key"]: step["done"] for step in checklist_for(tenant=tenant, profile=profile)}


def test_checklist_follows_real_counts(ws_a):
    # given a workspace of one person with nothing in it (sample data does not count)
    Membership.objects.filter(tenant=ws_a.tenant).exclude(user=ws_a.users["owner"]).update(is_active=False)
    template_apply(tenant=ws_a.tenant, business_type="sme", sample_data=True)
    empty = _keys_done(ws_a.tenant)
    # when records arrive one by one
    with tenant_context(ws_a.tenant):
        PartyFactory.create_batch(3)
    contacts = _keys_done(ws_a.tenant)
    Membership.objects.filter(tenant=ws_a.tenant, user=ws_a.users["member"]).update(is_active=True)
    team = _keys_done(ws_a.tenant)
    with tenant_context(ws_a.tenant):
        deal = DealFactory()
    with tenant_context(ws_a.tenant):
        ActivityFactory(deal=deal)
        product = product_create(actor=ws_a.users["owner"], sku="SP-1", name="Sản phẩm",
                                 base_unit=Unit.objects.get(code="cai"))
        stock(ws_a.users["owner"], product, 5)
        order(ws_a.users["owner"], [(product, 1)], party=deal.party, confirm=False)
    steps = checklist_for(tenant=ws_a.tenant, profile=None)
    # then
    nothing_of_the_erp = {"product": False, "stock": False, "quotation": False}
    assert empty == {"contacts": False, "team": False, "deal": False, "activity": False, **nothing_of_the_erp}
    assert contacts == {"contacts": True, "team": False, "deal": False, "activity": False, **nothing_of_the_erp}
    assert team == {"contacts": True, "team": True, "deal": False, "activity": False, **nothing_of_the_erp}
    assert all(step["done"] for step in steps) and checklist_progress(steps) == 100
    assert onboarding_card(tenant=ws_a.tenant, membership=ws_a.membership("owner"))["checklist"] is None


def test_an_import_done_counts_for_the_contacts_step(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        ImportJob.objects.create(target="parties", original_name="khach-hang.csv", state="done", created_rows=1)
        PartyFactory()
    # when
    steps = _keys_done(ws_a.tenant)
    # then
    assert steps["contacts"] is True


def test_checklist_steps_follow_the_rollout_plan(ws_a):
    # given an ERP-first plan (manufacturing) and no plan at all
    erp_first = OnboardingProfile(tenant=ws_a.tenant, recommendation=ERP_FIRST)
    # when
    ordered = [step["key"] for step in checklist_for(tenant=ws_a.tenant, profile=erp_first)]
    default = [step["key"] for step in checklist_for(tenant=ws_a.tenant, profile=None)]
    # then
    assert default == ["contacts", "team", "deal", "activity", "product", "stock", "quotation"]
    assert ordered == ["team", "product", "stock", "quotation", "contacts", "deal", "activity"]


def test_checklist_counts_in_few_queries_whatever_the_size(ws_a, django_assert_max_num_queries):
    # given a workspace with many records
    with tenant_context(ws_a.tenant):
        DealFactory.create_batch(30)
        ActivityFactory.create_batch(30)
    # when / then
    entitlements_for(ws_a.tenant)  # the plan is read once and cached
    with django_assert_max_num_queries(8):
        checklist_for(tenant=ws_a.tenant, profile=None)


def test_dashboard_shows_the_checklist_with_links_and_progress(ws_a):
    # given
    with tenant_context(ws_a.tenant):
        PartyFactory.create_batch(3)
    # when
    page = client_for(ws_a, ws_a.users["owner"]).get("/").content.decode()
    member_page = client_for(ws_a, ws_a.users["member"]).get("/").content.decode()
    # then contacts and team (five members) are done: 2 of 7 (Growth adds product, stock and quotation)
    assert 'data-testid="checklist"' in page and 'aria-valuenow="28"' in page
    assert 'href="/crm/deals/new/"' in page and 'href="/crm/my-day/"' in page
    assert 'data-testid="checklist-dismiss"' in page
    assert 'data-testid="checklist"' in member_page and 'data-testid="checklist-dismiss"' not in member_page


def test_only_owners_and_admins_dismiss_the_checklist(ws_a):
    # given
    member = client_for(ws_a, ws_a.users["member"])
    owner = client_for(ws_a, ws_a.users["owner"])
    # when
    refused = member.post("/welcome/checklist/dismiss/")
    after_refusal = OnboardingProfile.objects.filter(tenant=ws_a.tenant, checklist_dismissed_at__isnull=False).exists()
    dismissed = owner.post("/welcome/checklist/dismiss/")
    page = owner.get("/").content.decode()
    # then
    assert refused.status_code == 403 and after_refusal is False
    assert dismissed.status_code == 302
    assert 'data-testid="checklist"' not in page
    assert OnboardingProfile.objects.get(tenant=ws_a.tenant).checklist_dismissed_at is not None


def test_an_admin_may_dismiss_and_a_manager_may_not(ws_a):
    # when
    with pytest.raises(TenantError):
        checklist_dismiss(tenant=ws_a.tenant, actor=ws_a.users["manager"])
    profile = checklist_dismiss(tenant=ws_a.tenant, actor=ws_a.users["admin"])
    # then
    assert profile.checklist_dismissed_at is not None
    assert onboarding_card(tenant=ws_a.tenant, membership=ws_a.membership("admin"))["checklist"] is None


def test_sample_data_is_removed_from_the_dashboard_by_an_owner_only(ws_a):
    # given
    template_apply(tenant=ws_a.tenant, business_type="services", sample_data=True)
    # when
    refused = client_for(ws_a, ws_a.users["member"]).post("/welcome/sample-data/remove/")
    page = client_for(ws_a, ws_a.users["owner"]).get("/").content.decode()
    removed = client_for(ws_a, ws_a.users["owner"]).post("/welcome/sample-data/remove/")
    # then
    assert refused.status_code == 403
    assert 'data-testid="sample-data-remove"' in page
    assert removed.status_code == 302
    with tenant_context(ws_a.tenant):
        assert not Party.objects.filter(tags__contains=[SAMPLE_TAG]).exists()


def test_a_fresh_workspace_keeps_one_pipeline(ws_a):
    # given: only the starting pipeline, with no deal yet
    connection.set_tenant(ws_a.tenant)
    assert list(Pipeline.objects.values_list("name", flat=True)) == ["Bán hàng"]
    # when
    template_apply(tenant=ws_a.tenant, business_type="manufacturing")
    # then: it became the manufacturing pipeline (Starter allows one)
    connection.set_tenant(ws_a.tenant)
    assert Pipeline.objects.count() == 1
    assert Pipeline.objects.get().is_default
    assert Pipeline.objects.get().stages.first().name == "Yêu cầu báo giá"
