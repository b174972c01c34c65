"""From CRM to ERP with no re-typing: product lines on deals, the ``deal.won`` outbox event, the quotation made
from a won deal (automatically on Scale, by a button on Growth), once, however often and however concurrently
the event is delivered."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.entitlements import entitlements_forget
from billing.models import Subscription
from modules.audit.models import AuditEntry
from modules.crm.errors import CrmError
from modules.crm.models import Deal, Stage
from modules.crm.services.deals import deal_create, deal_mark_won, deal_move, deal_set_lines
from modules.erp.catalog import services as catalog
from modules.erp.catalog.models import Product, Unit
from modules.erp.common.models import DocumentSequence
from modules.erp.errors import ErpError
from modules.erp.sales.models import SalesOrder
from modules.erp.sales.services_from_deal import sales_order_from_deal
from modules.events import services as events
from modules.events.models import OutboxEvent
from modules.events.services import outbox_failed, outbox_handle
from modules.events.tasks import outbox_dispatch, outbox_sweep
from modules.parties.models import Party
from tests.conftest import client_for
from tests.crm.factories import DealFactory, PartyFactory
from tests.erp.factories import on_plan


def _product(actor, sku, price, **fields):
    return catalog.product_create(actor=actor, sku=sku, name=fields.pop("name", f"Sản phẩm {sku}"),
                                  base_unit=Unit.objects.get(code="chiec"), sale_price=Decimal(price), **fields)


def _deal(actor, party=None):
    """A deal with two product lines and a description-only one."""
    party = party or PartyFactory(name="Công ty Bình Minh")
    chair = _product(actor, "GHE-01", 1_200_000, name="Ghế văn phòng")
    desk = _product(actor, "BAN-01", 3_500_000, name="Bàn làm việc")
    return deal_create(actor=actor, party=party, title="Nội thất văn phòng", currency="VND", lines=[
        {"product": chair, "quantity": 10},
        {"product": desk, "description": "Bàn làm việc 1m4", "quantity": 2, "unit_price": Decimal(3_300_000)},
        {"description": "Lắp đặt tại chỗ", "quantity": 1, "unit_price": Decimal(800_000)},
    ])


def _won_event(deal) -> OutboxEvent:
    return OutboxEvent.objects.filter(topic="deal.won", payload__deal_id=deal.pk).latest("pk")


def _open_stage(deal) -> Stage:
    return deal.pipeline.stages.filter(kind=Stage.Kind.OPEN).order_by("position").first()


# ---------------------------------------------------------------- product lines on deals
def test_a_product_line_takes_the_products_name_and_the_customers_price(in_a):
    # given: a dealer's price list for the product, and a dealer
    owner = in_a.users["owner"]
    product = _product(owner, "GHE-01", 1_200_000, name="Ghế văn phòng")
    dealers = catalog.price_list_create(name="Đại lý", actor=owner, customer_tag="dai-ly")
    catalog.price_list_item_set(price_list=dealers, product=product, price=Decimal(1_050_000), actor=owner)
    catalog.price_list_item_set(price_list=dealers, product=product, price=Decimal(990_000), actor=owner,
                                min_quantity=Decimal(20))
    deal = DealFactory(party=PartyFactory(tags=["dai-ly"]))
    # when
    deal = deal_set_lines(deal=deal, actor=owner, lines=[{"product": product, "quantity": 25},
                                                         {"product": product, "quantity": 2}])
    # then: the name, and the break for each quantity
    lines = list(deal.lines.all())
    assert [(line.product, line.description, line.unit_price) for line in lines] == [
        (product, "Ghế văn phòng", Decimal(990_000)), (product, "Ghế văn phòng", Decimal(1_050_000))]
    assert deal.value == Decimal(25 * 990_000 + 2 * 1_050_000)


def test_a_product_without_a_price_in_the_deals_currency_is_refused_on_the_price(in_a):
    # given
    owner = in_a.users["owner"]
    product = _product(owner, "GHE-01", 1_200_000)
    deal = DealFactory(currency="USD")
    # when
    with pytest.raises(CrmError) as error:
        deal_set_lines(deal=deal, actor=owner, lines=[{"product": product, "quantity": 1}])
    # then
    assert (error.value.code, error.value.field) == ("price_missing", "unit_price")


def test_the_line_form_picks_a_product_by_sku_and_fills_the_rest(in_a):
    # given
    owner = in_a.users["owner"]
    product = _product(owner, "GHE-01", 1_200_000, name="Ghế văn phòng")
    deal = DealFactory()
    client = client_for(in_a, owner, lang="en")
    form = {"lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
            "lines-0-product": "GHE-01", "lines-0-description": "", "lines-0-quantity": "3", "lines-0-unit_price": "",
            "lines-1-product": "", "lines-1-description": "Vận chuyển", "lines-1-quantity": "",
            "lines-1-unit_price": "200000",
            "lines-2-product": "", "lines-2-description": "", "lines-2-quantity": "", "lines-2-unit_price": ""}
    # when
    response = client.post(f"/crm/deals/{deal.pk}/lines/", form)
    page = client.get(f"/crm/deals/{deal.pk}/")
    # then
    assert response.status_code == 302
    assert [(line.product_id, line.description, line.quantity, line.unit_price) for line in deal.lines.all()] == [
        (product.pk, "Ghế văn phòng", Decimal(3), Decimal(1_200_000)),
        (None, "Vận chuyển", Decimal(1), Decimal(200_000))]
    assert 'value="GHE-01"' in page.content.decode() and 'list="deal-products"' in page.content.decode()


def test_an_unknown_sku_is_an_error_on_its_line(in_a):
    # given
    deal = DealFactory()
    client = client_for(in_a, in_a.users["owner"], lang="en")
    form = {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-product": "NOPE",
            "lines-0-description": "", "lines-0-quantity": "1", "lines-0-unit_price": ""}
    # when
    response = client.post(f"/crm/deals/{deal.pk}/lines/", form, follow=True)
    # then
    assert "No active product has this SKU." in response.content.decode()
    assert not deal.lines.exists()


def test_the_line_price_endpoint_answers_the_customers_price_for_the_quantity(in_a):
    # given
    owner = in_a.users["owner"]
    product = _product(owner, "GHE-01", 1_200_000, name="Ghế văn phòng")
    everyone = catalog.price_list_create(name="Giá sỉ", actor=owner)
    catalog.price_list_item_set(price_list=everyone, product=product, price=Decimal(1_000_000), actor=owner,
                                min_quantity=Decimal(10))
    deal = DealFactory()
    client = client_for(in_a, owner, lang="en")
    # when
    one = client.get(f"/crm/deals/{deal.pk}/line-price/", {"product": "GHE-01", "quantity": "1"}).json()
    ten = client.get(f"/crm/deals/{deal.pk}/line-price/", {"product": "GHE-01", "quantity": "10"}).json()
    missing = client.get(f"/crm/deals/{deal.pk}/line-price/", {"product": "NOPE"})
    # then
    assert one == {"description": "Ghế văn phòng", "unit_price": "1200000"}
    assert ten["unit_price"] == "1000000"
    assert missing.status_code == 404


# ---------------------------------------------------------------- the deal.won event
def test_winning_emits_deal_won_once_per_transition_into_won(in_a):
    # given
    owner = in_a.users["owner"]
    deal = _deal(owner)
    won = deal.pipeline.stages.get(kind=Stage.Kind.WON)
    # when: won, re-placed within the won column, reopened, won again
    deal_mark_won(deal=deal, actor=owner)
    deal_move(deal=deal, stage=won, actor=owner, position=0)
    deal_move(deal=deal, stage=_open_stage(deal), actor=owner)
    deal_mark_won(deal=deal, actor=owner)
    # then
    assert OutboxEvent.objects.filter(topic="deal.won", payload={"deal_id": deal.pk}).count() == 2


def test_the_event_commits_with_the_win_and_is_sent_after_the_commit(in_a, django_capture_on_commit_callbacks,
                                                                      monkeypatch):
    # given
    sent = []
    monkeypatch.setattr(events, "_send", sent.append)
    deal = _deal(in_a.users["owner"])
    # when
    with django_capture_on_commit_callbacks(execute=True):
        deal_mark_won(deal=deal, actor=in_a.users["owner"])
    # then
    assert sent == [_won_event(deal).pk]


# ---------------------------------------------------------------- Scale: automatic quotation
def test_on_scale_a_won_deal_becomes_one_quotation_with_its_party_and_lines(in_a):
    # given
    on_plan(in_a.tenant, "scale")
    owner = in_a.users["owner"]
    deal = _deal(owner)
    # when
    deal_mark_won(deal=deal, actor=owner)
    handled = outbox_handle(event_id=_won_event(deal).pk)
    # then
    order = SalesOrder.objects.get(deal=deal)
    assert handled is True
    assert (order.party, order.currency, order.state) == (deal.party, "VND", SalesOrder.State.QUOTATION)
    assert [(line.product and line.product.sku, line.description, line.quantity, line.unit_price)
            for line in order.lines.all()] == [
        ("GHE-01", "Ghế văn phòng", Decimal(10), Decimal(1_200_000)),
        ("BAN-01", "Bàn làm việc 1m4", Decimal(2), Decimal(3_300_000)),
        (None, "Lắp đặt tại chỗ", Decimal(1), Decimal(800_000))]
    assert order.amount_untaxed == deal.value
    assert order.created_by_id is None


def test_the_same_event_handled_twice_makes_one_order(in_a):
    # given
    on_plan(in_a.tenant, "scale")
    deal = _deal(in_a.users["owner"])
    deal_mark_won(deal=deal, actor=in_a.users["owner"])
    event = _won_event(deal)
    # when
    first, second = outbox_handle(event_id=event.pk), outbox_handle(event_id=event.pk)
    # then
    event.refresh_from_db()
    assert (first, second) == (True, False)
    assert SalesOrder.objects.filter(deal=deal).count() == 1
    assert event.attempts == 1 and event.handled_at is not None


def test_won_open_won_emits_a_second_event_but_keeps_one_order(in_a):
    # given: won and handled
    on_plan(in_a.tenant, "scale")
    owner = in_a.users["owner"]
    deal = _deal(owner)
    deal_mark_won(deal=deal, actor=owner)
    outbox_handle(event_id=_won_event(deal).pk)
    order = SalesOrder.objects.get(deal=deal)
    # when: reopened and won again
    deal_move(deal=deal, stage=_open_stage(deal), actor=owner)
    deal_mark_won(deal=deal, actor=owner)
    second = _won_event(deal)
    handled = outbox_handle(event_id=second.pk)
    # then
    assert handled is True
    assert OutboxEvent.objects.filter(topic="deal.won", payload__deal_id=deal.pk).count() == 2
    assert list(SalesOrder.objects.filter(deal=deal)) == [order]


def test_a_deal_reopened_before_the_handler_runs_gets_no_order(in_a):
    # given
    on_plan(in_a.tenant, "scale")
    owner = in_a.users["owner"]
    deal = _deal(owner)
    deal_mark_won(deal=deal, actor=owner)
    deal_move(deal=deal, stage=_open_stage(deal), actor=owner)
    # when
    handled = outbox_handle(event_id=_won_event(deal).pk)
    # then: handled (nothing to retry), and nothing made
    assert handled is True
    assert not SalesOrder.objects.filter(deal=deal).exists()


def test_a_retry_after_a_handler_failure_makes_the_order(in_a, monkeypatch):
    # given: the first attempt fails half-way (after the order row was written)
    on_plan(in_a.tenant, "scale")
    deal = _deal(in_a.users["owner"])
    deal_mark_won(deal=deal, actor=in_a.users["owner"])
    event = _won_event(deal)
    from modules.erp.sales import services as sales_services

    real_create = sales_services.sales_order_create

    def create_then_fail(**kwargs):
        real_create(**kwargs)
        raise ConnectionError("broker gone")

    monkeypatch.setattr(sales_services, "sales_order_create", create_then_fail)
    with pytest.raises(ConnectionError) as failure:
        outbox_handle(event_id=event.pk)
    outbox_failed(event_id=event.pk, error=failure.value)
    event.refresh_from_db()
    assert not SalesOrder.objects.filter(deal=deal).exists()
    assert (event.attempts, event.handled_at) == (1, None) and "broker gone" in event.last_error
    # when: the retry
    monkeypatch.setattr(sales_services, "sales_order_create", real_create)
    handled = outbox_handle(event_id=event.pk)
    # then
    event.refresh_from_db()
    assert handled is True
    assert SalesOrder.objects.filter(deal=deal).count() == 1
    assert event.attempts == 2 and event.handled_at is not None


def test_the_celery_task_retries_a_failed_handler(in_a, monkeypatch):
    # given: a handler that fails once (the task runs eagerly: its retry runs at once)
    on_plan(in_a.tenant, "scale")
    deal = _deal(in_a.users["owner"])
    deal_mark_won(deal=deal, actor=in_a.users["owner"])
    event = _won_event(deal)
    from modules.erp.sales import services as sales_services

    real_create, calls = sales_services.sales_order_create, []

    def fail_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise TimeoutError("database busy")
        return real_create(**kwargs)

    monkeypatch.setattr(sales_services, "sales_order_create", fail_once)
    # when
    outbox_dispatch.apply(args=[event.pk])
    # then
    connection.set_tenant(in_a.tenant)
    event.refresh_from_db()
    assert len(calls) == 2
    assert SalesOrder.objects.filter(deal=deal).count() == 1
    assert event.attempts == 2 and "database busy" in event.last_error and event.handled_at is not None


def test_the_unique_deal_is_the_last_guard_for_an_order_made_without_the_lock(in_a, monkeypatch):
    # given: another writer made the deal's order without the deal lock, after our check found none
    on_plan(in_a.tenant, "scale")
    owner = in_a.users["owner"]
    deal = _deal(owner)
    deal_mark_won(deal=deal, actor=owner)
    from modules.erp.sales import services_from_deal
    from modules.erp.sales.services import sales_order_create

    other = sales_order_create(actor=owner, party=deal.party, deal=deal, lines=[{"description": "Khác", "quantity": 1,
                                                                                  "unit_price": Decimal(1)}])
    real_check, checks = services_from_deal.order_of_deal, []

    def late_check(deal_id):
        checks.append(deal_id)
        return None if len(checks) == 1 else real_check(deal_id)

    monkeypatch.setattr(services_from_deal, "order_of_deal", late_check)
    # when: the unique deal refuses ours, which fails the transaction (a retry would find the other order)
    with pytest.raises(IntegrityError), transaction.atomic():
        sales_order_from_deal(actor=owner, deal=deal)
    # then
    assert checks == [deal.pk]
    assert list(SalesOrder.objects.filter(deal=deal)) == [other]
    monkeypatch.setattr(services_from_deal, "order_of_deal", real_check)
    assert sales_order_from_deal(actor=owner, deal=deal) == other


# ---------------------------------------------------------------- Growth: the button
def test_on_growth_no_automatic_order_and_the_button_makes_it_once(in_a):
    # given: won on Growth, the event handled
    owner = in_a.users["owner"]
    deal = _deal(owner)
    client = client_for(in_a, owner, lang="en")
    client.post(f"/crm/deals/{deal.pk}/won/")
    outbox_handle(event_id=_won_event(deal).pk)
    assert not SalesOrder.objects.filter(deal=deal).exists()
    before = client.get(f"/crm/deals/{deal.pk}/").content.decode()
    # when: the button, clicked twice
    first = client.post(f"/erp/deals/{deal.pk}/quotation/", follow=True)
    second = client.post(f"/erp/deals/{deal.pk}/quotation/")
    # then
    order = SalesOrder.objects.get(deal=deal)
    assert 'data-testid="create-quotation"' in before
    assert second.status_code == 302 and SalesOrder.objects.filter(deal=deal).count() == 1
    page = first.content.decode()
    assert f"Quotation {order.number} is ready" in page
    assert 'data-testid="deal-order-state"' in page and order.number in page
    assert 'data-testid="create-quotation"' not in page


def test_the_button_refuses_an_open_deal_and_a_deal_without_lines(in_a):
    # given
    owner = in_a.users["owner"]
    open_deal = _deal(owner)
    bare = DealFactory(stage=open_deal.pipeline.stages.get(kind=Stage.Kind.WON))
    client = client_for(in_a, owner, lang="en")
    # when
    refused_open = client.post(f"/erp/deals/{open_deal.pk}/quotation/", follow=True).content.decode()
    refused_bare = client.post(f"/erp/deals/{bare.pk}/quotation/", follow=True).content.decode()
    # then
    assert "Only a won deal becomes a quotation." in refused_open
    assert "Add line items to the deal first" in refused_bare
    assert not SalesOrder.objects.exists()


def test_the_button_needs_erp_edit_and_a_visible_deal(in_a, ws_b):
    # given: a won deal in A, and one in B
    owner = in_a.users["owner"]
    deal = _deal(owner)
    deal_mark_won(deal=deal, actor=owner)
    connection.set_tenant(ws_b.tenant)
    other = DealFactory(pk=deal.pk + 1000, stage=Stage.objects.get(pipeline__is_default=True, kind=Stage.Kind.WON))
    connection.set_tenant(in_a.tenant)
    # when
    viewer = client_for(in_a, in_a.users["viewer"], lang="en").post(f"/erp/deals/{deal.pk}/quotation/")
    outsider = client_for(in_a, owner, lang="en").post(f"/erp/deals/{other.pk}/quotation/")
    # then
    assert (viewer.status_code, outsider.status_code) == (403, 404)
    assert not SalesOrder.objects.exists()


def test_the_button_is_not_on_starter(in_a):
    # given
    owner = in_a.users["owner"]
    deal = _deal(owner)
    deal_mark_won(deal=deal, actor=owner)
    on_plan(in_a.tenant, "starter")
    # when
    page = client_for(in_a, owner, lang="en").get(f"/crm/deals/{deal.pk}/").content.decode()
    refused = client_for(in_a, owner, lang="en").post(f"/erp/deals/{deal.pk}/quotation/")
    # then
    assert 'data-testid="deal-order"' not in page and 'list="deal-products"' not in page
    assert refused.status_code == 402
    assert not SalesOrder.objects.exists()


# ---------------------------------------------------------------- what the deal and the board show
def test_the_deal_page_shows_the_order_and_its_delivered_progress(in_a):
    # given: the order, 4 of the 10 chairs delivered
    on_plan(in_a.tenant, "scale")
    owner = in_a.users["owner"]
    deal = _deal(owner)
    deal_mark_won(deal=deal, actor=owner)
    outbox_handle(event_id=_won_event(deal).pk)
    order = SalesOrder.objects.get(deal=deal)
    order.lines.filter(product__sku="GHE-01").update(qty_delivered=Decimal(4))
    # when
    page = client_for(in_a, owner, lang="en").get(f"/crm/deals/{deal.pk}/").content.decode()
    # then: 4 of the 12 stocked units (the installation is a description-only line)
    assert order.number in page and "Quotation" in page
    assert "4 of 12 (33%)" in page


def test_while_the_quotation_is_on_its_way_the_panel_polls(in_a):
    # given: won on Scale, the event not handled yet
    on_plan(in_a.tenant, "scale")
    owner = in_a.users["owner"]
    deal = _deal(owner)
    deal_mark_won(deal=deal, actor=owner)
    client = client_for(in_a, owner, lang="en")
    # when
    waiting = client.get(f"/crm/deals/{deal.pk}/").content.decode()
    outbox_handle(event_id=_won_event(deal).pk)
    fragment = client.get(f"/erp/deals/{deal.pk}/order/").content.decode()
    # then
    assert 'data-testid="deal-order-pending"' in waiting and "hx-trigger" in waiting
    assert SalesOrder.objects.get(deal=deal).number in fragment and "hx-trigger" not in fragment


def test_the_board_card_shows_the_order_badge_at_a_constant_query_count(in_a):
    # given: won deals with orders
    on_plan(in_a.tenant, "scale")
    owner = in_a.users["owner"]
    party = PartyFactory()
    product = _product(owner, "GHE-01", 1_000)
    won = Stage.objects.get(pipeline__is_default=True, kind=Stage.Kind.WON)

    def won_deals(count):
        for number in range(count):
            deal = deal_create(actor=owner, party=party, title=f"Đơn {number}",
                               lines=[{"product": product, "quantity": 1}])
            deal_move(deal=deal, stage=won, actor=owner)
            sales_order_from_deal(deal=deal)

    client = client_for(in_a, owner, lang="en")
    won_deals(2)
    client.get("/crm/deals/")
    with CaptureQueriesContext(connection) as few:
        small = client.get("/crm/deals/").content.decode()
    won_deals(6)
    with CaptureQueriesContext(connection) as many:
        large = client.get("/crm/deals/").content.decode()
    # then
    assert small.count('data-testid="order-badge"') == 2 and large.count('data-testid="order-badge"') == 8
    assert len(many) == len(few)


# ---------------------------------------------------------------- the sweep
def test_the_sweep_sends_again_pending_events_older_than_a_minute(in_a, monkeypatch):
    # given: a lost message, a fresh event, a handled one and one that gave up
    old = timezone.now() - timedelta(minutes=2)
    lost = OutboxEvent.objects.create(topic="deal.won", payload={"deal_id": 1}, created_at=old)
    OutboxEvent.objects.create(topic="deal.won", payload={"deal_id": 2})
    OutboxEvent.objects.create(topic="deal.won", payload={"deal_id": 3}, created_at=old, handled_at=old)
    OutboxEvent.objects.create(topic="deal.won", payload={"deal_id": 4}, created_at=old, attempts=20)
    sent = []
    monkeypatch.setattr(outbox_dispatch, "delay", sent.append)
    # when
    count = outbox_sweep.apply().get()
    # then
    assert sent == [lost.pk] and count == 1


# ---------------------------------------------------------------- concurrent deliveries (real commits)
@pytest.fixture
def scale_deal(workspaces, committed, monkeypatch):
    """Workspace A on Scale with a committed won deal (its event left pending); everything removed after."""
    workspace = workspaces["a"]
    monkeypatch.setattr(events, "_send", lambda event_id: None)  # no broker: the test delivers by hand
    connection.set_tenant(workspace.tenant)
    sequence = DocumentSequence.objects.filter(code="sales.order").values_list("next_number", flat=True).first()
    plan = Subscription.objects.get(tenant=workspace.tenant).plan
    on_plan(workspace.tenant, "scale")
    owner = workspace.users["owner"]
    deal = _deal(owner, party=PartyFactory(name="Công ty Đồng Thời"))
    deal_mark_won(deal=deal, actor=owner)
    yield workspace, deal
    connection.set_tenant(workspace.tenant)
    orders = list(SalesOrder.objects.filter(deal_id=deal.pk).values_list("pk", flat=True))
    products = list(Product.objects.filter(sku__in=["GHE-01", "BAN-01"]).values_list("pk", flat=True))
    SalesOrder.objects.filter(pk__in=orders).delete()
    if sequence is None:
        DocumentSequence.objects.filter(code="sales.order").delete()
    else:
        DocumentSequence.objects.filter(code="sales.order").update(next_number=sequence)
    OutboxEvent.objects.filter(payload__deal_id=deal.pk).delete()
    AuditEntry.objects.filter(target_type="sales.salesorder", target_id__in=[str(pk) for pk in orders]).delete()
    AuditEntry.objects.filter(target_type="crm.deal", target_id=str(deal.pk)).delete()
    AuditEntry.objects.filter(target_type="catalog.product", target_id__in=[str(pk) for pk in products]).delete()
    party = deal.party_id
    Deal.objects.filter(pk=deal.pk).delete()
    Product.objects.filter(pk__in=products).delete()
    Party.objects.filter(pk=party).delete()
    connection.set_schema_to_public()
    Subscription.objects.filter(tenant=workspace.tenant).update(plan=plan)
    entitlements_forget(workspace.tenant.pk)


def _at_once(workspace, work, arguments) -> list:
    barrier, outcomes = threading.Barrier(len(arguments)), []

    def run(argument):
        try:
            connection.set_tenant(workspace.tenant)
            barrier.wait()
            outcomes.append(work(argument))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_concurrent_deliveries_of_one_event_make_one_order(scale_deal):
    # given
    workspace, deal = scale_deal
    event = _won_event(deal)
    # when: the message delivered twice at the same moment
    outcomes = _at_once(workspace, lambda event_id: outbox_handle(event_id=event_id), [event.pk, event.pk])
    # then
    event.refresh_from_db()
    assert sorted(outcomes) == [False, True]
    assert SalesOrder.objects.filter(deal_id=deal.pk).count() == 1
    assert event.attempts == 1 and event.handled_at is not None


def test_two_events_of_one_deal_handled_at_once_make_one_order(scale_deal):
    # given: won, reopened and won again before any handler ran: two pending events
    workspace, deal = scale_deal
    owner = workspace.users["owner"]
    deal_move(deal=deal, stage=_open_stage(deal), actor=owner)
    deal_mark_won(deal=deal, actor=owner)
    event_ids = list(OutboxEvent.objects.filter(payload__deal_id=deal.pk).values_list("pk", flat=True))
    # when
    outcomes = _at_once(workspace, lambda event_id: outbox_handle(event_id=event_id), event_ids)
    # then: both handled, one order (the second waited on the deal's lock, then found it)
    assert len(event_ids) == 2 and outcomes == [True, True]
    assert SalesOrder.objects.filter(deal_id=deal.pk).count() == 1
    assert OutboxEvent.objects.filter(pk__in=event_ids, handled_at__isnull=False).count() == 2


def test_the_button_and_the_handler_at_once_make_one_order(scale_deal):
    # given
    workspace, deal = scale_deal
    event = _won_event(deal)

    def work(kind):
        if kind == "button":
            return sales_order_from_deal(actor=workspace.users["owner"], deal=deal).pk
        outbox_handle(event_id=event.pk)
        return SalesOrder.objects.get(deal_id=deal.pk).pk

    # when
    outcomes = _at_once(workspace, work, ["button", "event"])
    # then
    assert len(set(outcomes)) == 1
    assert SalesOrder.objects.filter(deal_id=deal.pk).count() == 1


def test_sales_order_from_deal_refuses_an_open_deal(in_a):
    # given
    owner = in_a.users["owner"]
    deal = _deal(owner)
    # when
    with pytest.raises(ErpError) as error:
        sales_order_from_deal(actor=owner, deal=deal)
    # then
    assert error.value.code == "deal_not_won"
