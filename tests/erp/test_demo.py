"""The demo ERP data of `make run`: consistent books, orders in each state, applied once."""

from django.db.models import Sum

from modules.erp.demo import erp_demo_seed
from modules.erp.inventory.models import ProductValuation, StockMove
from modules.erp.sales.models import SalesOrder
from tests.crm.factories import PartyFactory


def test_the_demo_data_keeps_the_books_consistent_and_is_applied_once(in_a):
    # given
    PartyFactory.create_batch(3)
    # when
    first, second = erp_demo_seed(actor=in_a.users["owner"]), erp_demo_seed(actor=in_a.users["owner"])
    # then
    moved_in = StockMove.objects.filter(location_from__isnull=True).aggregate(v=Sum("value"))["v"]
    moved_out = StockMove.objects.filter(location_to__isnull=True).aggregate(v=Sum("value"))["v"]
    assert (first, second) == (True, False)
    assert ProductValuation.objects.aggregate(v=Sum("value"))["v"] == moved_in - moved_out
    assert sorted(SalesOrder.objects.values_list("state", flat=True)) == ["confirmed", "done", "quotation"]


def test_with_the_books_set_up_the_demo_invoices_and_half_pays_the_delivered_order(in_a):
    # given
    from modules.erp.accounting.services.setup import accounting_enable
    from modules.erp.invoicing.models import Invoice

    PartyFactory.create_batch(3)
    accounting_enable(actor=in_a.users["owner"], chart="tt133")
    # when
    erp_demo_seed(actor=in_a.users["owner"])
    # then
    invoice = Invoice.objects.get()
    assert (invoice.state, invoice.payment_state) == ("posted", "partial")
    assert invoice.amount_residual == invoice.amount_total - invoice.amount_total // 2
