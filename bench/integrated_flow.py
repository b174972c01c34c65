"""The seed's integrated flow (section 5) end to end: won deal -> sales order -> reservation -> delivery ->
posted invoice -> payment, each flow committed.

One workspace on the Scale plan (``erp.crm_flow``: a won deal becomes its quotation) with its books on Circular 99
(tt99), 100 goods products on a VND price list with stock (opening moves, posted as the opening balance when the
books are set up), 50 customers. Before each flow, untimed, a deal with ``--lines`` product lines (distinct random
products, 1-10 units) is written for a random customer, the way a salesperson prepares it. Then every step is one
call of the real service, its own transaction and commit:

  won       ``deal_mark_won``                       (the ``deal.won`` outbox event, sent after the commit)
  quotation ``outbox_handle``                       (what the Celery task does with the event: the handler makes
                                                     the quotation from the deal's lines)
  confirm   ``sales_order_confirm``                 (reserves the stock, makes the delivery ready)
  deliver   ``picking_validate``                    (posts the moves: Dr 632 / Cr 156 at weighted-average cost)
  invoice   ``invoice_from_sales_order``            (a draft for what was delivered)
  post      ``invoice_post``                        (number 1C..-0000000n, Dr 131 / Cr 511 / Cr 33311)
  pay       ``payment_register``                    (bank, the invoice's total allocated to it: Dr 112 / Cr 131)

The outbox's Celery send is replaced by a list (the event id it would have sent is handed to ``outbox_handle`` in
this process, as the worker would); any other task a step sends after its commit is recorded, not run, and listed.
The sales order and the delivery are looked up between steps, untimed and uncounted (a page or the task has
their ids). Wall time by perf_counter per step and per flow (the sum of its steps), queries counted on every call
with ``connection.execute_wrapper`` (savepoints included; BEGIN/COMMIT are not statements there). One extra flow
records every statement (untimed), listed per step and grouped by shape. ``--profile N`` adds a cProfile of N
more flows. At the end the books are checked: every entry balances, 131 holds nothing (every invoice paid), 156
equals the stock valuation.

    .venv/bin/python -m saas_platform.devservices -- .venv/bin/python bench/integrated_flow.py
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import time
from decimal import Decimal

import _common as bc
from order_flow import QueryCounter, StepTimer, grouped, normalized

PLAN = "scale"  # erp.crm_flow (the won deal's quotation made by the event handler), erp.invoicing, erp.accounting
CHART = "tt99"
STEPS = ("won", "quotation", "confirm", "deliver", "invoice", "post", "pay")
TARGET_MS, TARGET_QUERIES = 100, 60

NOUNS = ["Áo sơ mi", "Quần tây", "Giày da", "Nồi cơm điện", "Quạt đứng", "Bàn phím", "Chuột không dây", "Ấm siêu tốc",
         "Bình giữ nhiệt", "Đèn bàn LED", "Ổ cắm điện", "Tai nghe", "Cáp sạc", "Balo", "Vali kéo", "Ghế xoay"]


def load(*, owner, n_products: int, stock_per_product: int, seed: int) -> dict:
    """Products, price list and customers (bulk_create), opening stock through ``stock_opening_set`` (so levels,
    valuations and moves agree), then the books set up: the stock held is posted as the opening balance."""
    from modules.erp.accounting.services.setup import accounting_enable
    from modules.erp.catalog.models import PriceList, PriceListItem, Product, Unit
    from modules.erp.inventory.models import Warehouse
    from modules.erp.inventory.services import stock_opening_set
    from modules.parties.models import Party

    rnd = random.Random(seed)
    unit = Unit.objects.get(code="chiec")
    products = Product.objects.bulk_create(
        [Product(kind=Product.Kind.GOODS, sku=f"SP{i:05d}", name=f"{rnd.choice(NOUNS)} #{i}", base_unit=unit,
                 vat_code=rnd.choice(["10", "10", "10", "5", "0"]), sale_price=Decimal(rnd.randrange(30, 3000) * 1000))
         for i in range(n_products)])
    price_list = PriceList.objects.create(name="Giá bán lẻ", currency="VND")
    PriceListItem.objects.bulk_create([PriceListItem(price_list=price_list, product=p, min_quantity=Decimal(1),
                                                     price=p.sale_price) for p in products])
    customers = Party.objects.bulk_create(
        [Party(name=f"Công ty TNHH Khách hàng {i}", kind=Party.Kind.ORGANIZATION, is_customer=True)
         for i in range(50)])
    location = Warehouse.objects.get(is_default=True).locations.get(is_default=True)
    for product in products:
        stock_opening_set(actor=owner, product=product, location=location, quantity=Decimal(stock_per_product),
                          unit_cost=Decimal(rnd.randrange(20, 2000) * 1000 + rnd.randrange(0, 1000)))
    accounting_enable(actor=owner, chart=CHART)
    return {"products": products, "customers": customers}


def books_check() -> dict:
    """Every entry balances; 131 is empty (every invoice paid in full); 156 equals the stock valuation."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM (SELECT entry_id FROM accounting_journalline GROUP BY entry_id "
                       "HAVING SUM(debit) <> SUM(credit)) unbalanced")
        unbalanced = cursor.fetchone()[0]
        cursor.execute("SELECT a.code, COALESCE(SUM(l.debit - l.credit), 0) FROM accounting_account a "
                       "LEFT JOIN accounting_journalline l ON l.account_id = a.id WHERE a.code IN ('131', '156') "
                       "GROUP BY a.code")
        balances = dict(cursor.fetchall())
        cursor.execute("SELECT COALESCE(SUM(value), 0) FROM inventory_productvaluation")
        valuation = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE payment_state = 'paid') FROM invoicing_invoice")
        invoices, paid = cursor.fetchone()
        cursor.execute("SELECT COUNT(*), (SELECT COUNT(*) FROM accounting_journalline) FROM accounting_journalentry")
        entries, lines = cursor.fetchone()
    ok = unbalanced == 0 and balances["131"] == 0 and balances["156"] == valuation and invoices == paid
    return {"ok": ok, "unbalanced": unbalanced, "receivable": balances["131"], "inventory": balances["156"],
            "valuation": valuation, "invoices": invoices, "paid": paid, "entries": entries, "lines": lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=200, help="timed flows (default 200)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed flows first (default 5)")
    parser.add_argument("--lines", type=int, default=5, help="product lines per deal (default 5, as order_flow)")
    parser.add_argument("--products", type=int, default=100, help="goods products in stock (default 100)")
    parser.add_argument("--stock", type=int, default=100_000, help="opening units per product (default 100,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--statement-width", type=int, default=260, help="characters shown per grouped statement")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile N more flows (cProfile), print the top functions")
    parser.add_argument("--keep-db", action="store_true", help="leave database bench_saas in place")
    args = parser.parse_args()
    if args.products < args.lines:
        parser.error(f"a deal has {args.lines} distinct products: give at least {args.lines}")
    started = time.perf_counter()

    bc.setup(conn_max_age=600)
    from celery.app.task import Task
    from django.core.cache import caches
    from django.db import connection

    from billing.services import subscription_change_plan
    from modules.crm.services.deals import deal_create, deal_mark_won
    from modules.erp.inventory.models import Picking, Warehouse
    from modules.erp.inventory.services import picking_validate
    from modules.erp.invoicing.services.invoices import invoice_from_sales_order, invoice_post
    from modules.erp.invoicing.services.payments import payment_register
    from modules.erp.sales.models import SalesOrder
    from modules.erp.sales.services import sales_order_confirm
    from modules.events import services as events
    from modules.events.services import outbox_handle

    for alias in ("default", "platform"):  # the bench's keys under a prefix of their own, deleted at the end
        caches[alias].key_prefix = f"{caches[alias].key_prefix}:{bc.BENCH_DB}"

    sent_events: list[int] = []
    events._send = sent_events.append  # the worker's part is played below, by outbox_handle in this process
    other_tasks: dict[str, int] = {}

    def task_recorded(self, *args, **kwargs):
        other_tasks[self.name] = other_tasks.get(self.name, 0) + 1

    Task.apply_async = task_recorded  # nothing else leaves the process (no broker needed), but we say what would

    try:
        bc.print_environment()
        owner = bc.make_user("owner@bench.test")
        tenant = bc.make_workspace("benchintegrated", owner)
        subscription_change_plan(tenant=tenant, plan_code=PLAN, actor=owner, note="bench")
        connection.set_tenant(tenant)
        t0 = time.perf_counter()
        loaded = load(owner=owner, n_products=args.products, stock_per_product=args.stock, seed=args.seed)
        load_s = time.perf_counter() - t0
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        connection.set_tenant(tenant)
        Warehouse.objects.exists()  # SET search_path paid here, not in the first timed call
        print(f"workspace {tenant.schema_name} on plan {PLAN}, books on {CHART}: {len(loaded['products'])} products "
              f"with {args.stock:,} units each, {len(loaded['customers'])} customers; loaded in {load_s:.1f} s")

        rnd = random.Random(args.seed + 1)
        counter = QueryCounter()
        times = {step: [] for step in STEPS}
        cpus = {step: [] for step in STEPS}
        queries = {step: [] for step in STEPS}
        sql = {step: [] for step in STEPS}

        def one_flow(*, record: bool, statements: dict | None = None) -> None:
            chosen = rnd.sample(loaded["products"], args.lines)
            deal = deal_create(actor=owner, party=rnd.choice(loaded["customers"]), title="Đơn hàng văn phòng",
                               currency="VND", lines=[{"product": product, "quantity": rnd.randrange(1, 11)}
                                                      for product in chosen])  # untimed: written beforehand
            timed = StepTimer(counter, statements)

            sent_events.clear()
            timed("won", lambda: deal_mark_won(deal=deal, actor=owner))
            [event_id] = sent_events  # what the on_commit would have sent to Celery
            timed("quotation", lambda: outbox_handle(event_id=event_id))
            order = SalesOrder.objects.get(deal=deal)  # untimed, uncounted
            timed("confirm", lambda: sales_order_confirm(actor=owner, order=order))
            picking = Picking.objects.get(sales_order=order, state=Picking.State.READY)  # untimed, uncounted
            timed("deliver", lambda: picking_validate(actor=owner, picking=picking))
            draft = timed("invoice", lambda: invoice_from_sales_order(actor=owner, order=order, basis="delivered"))
            invoice = timed("post", lambda: invoice_post(actor=owner, invoice=draft))
            timed("pay", lambda: payment_register(actor=owner, kind="inbound", party=invoice.party,
                                                  amount=invoice.amount_total, method="bank",
                                                  allocations={invoice.pk: invoice.amount_total}))
            if record:
                for step in STEPS:
                    times[step].append(timed.wall[step])
                    cpus[step].append(timed.cpu[step])
                    queries[step].append(timed.queries[step])
                    sql[step].append(timed.sql[step])

        for _ in range(args.warmup):
            one_flow(record=False)
        gc.collect()
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        for _ in range(args.flows):
            one_flow(record=True)
        measure_s = time.perf_counter() - t0
        load_after = os.getloadavg()[0]

        captured: dict = {}
        one_flow(record=False, statements=captured)

        profile_text = ""
        if args.profile:
            import cProfile
            import io
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.profile):
                one_flow(record=False)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats("tottime").print_stats(25)
            ours = r"services|_posting|pickings|reservations|locks|lines|selectors|audit|numbering|posting|invoices|" \
                   r"payments|deals|events"
            stats.sort_stats("cumulative").print_stats(ours, 30)
            profile_text = out.getvalue()

        books = books_check()
        flows_done = SalesOrder.objects.filter(state=SalesOrder.State.DONE).count()
        connection.set_schema_to_public()

        # ---- figures
        per_flow = [sum(times[step][i] for step in STEPS) for i in range(args.flows)]
        per_flow_queries = [sum(queries[step][i] for step in STEPS) for i in range(args.flows)]
        rows = []
        for step in STEPS:
            low, high = min(queries[step]), max(queries[step])
            rows.append([step, bc.ms(bc.median(times[step])), bc.ms(bc.percentile(times[step], 95)),
                         str(low) if low == high else f"{low}-{high}", bc.ms(bc.median(sql[step])),
                         bc.ms(bc.median(cpus[step]))])
        q_low, q_high = min(per_flow_queries), max(per_flow_queries)
        rows.append(["flow", bc.ms(bc.median(per_flow)), bc.ms(bc.percentile(per_flow, 95)),
                     str(q_low) if q_low == q_high else f"{q_low}-{q_high}",
                     bc.ms(bc.median([sum(sql[s][i] for s in STEPS) for i in range(args.flows)])),
                     bc.ms(bc.median([sum(cpus[s][i] for s in STEPS) for i in range(args.flows)]))])
        bc.print_table(
            ["step", "ms p50", "ms p95", "queries", "SQL ms p50", "CPU ms p50"], rows,
            title=f"{args.flows} flows of a {args.lines}-line deal, after {args.warmup} warm-up flows; each step its "
                  f"own transaction and commit (queries: min-max, savepoints included, BEGIN/COMMIT not counted; "
                  f"SQL ms = wall time inside the statements; CPU ms = this process, partly overlapping the SQL)")
        median_ms, median_q = bc.ms(bc.median(per_flow)), bc.median(per_flow_queries)
        print()
        print(f"per flow: median {median_ms:.1f} ms, p95 {bc.ms(bc.percentile(per_flow, 95)):.1f} ms, "
              f"{median_q:.0f} queries (median; {q_low}-{q_high}); {args.flows / sum(per_flow):.1f} flows/s on one "
              f"connection. Target: median <= {TARGET_MS} ms ({'met' if median_ms <= TARGET_MS else 'NOT met'}), "
              f"<= {TARGET_QUERIES} queries ({'met' if median_q <= TARGET_QUERIES else 'NOT met'})")
        print(f"measuring: {measure_s:.1f} s (deal writing included); 1-min load average {load_before:.2f} before, "
              f"{load_after:.2f} after ({os.cpu_count()} CPUs: above ~1 means other processes competed)")
        print(f"after the run: {flows_done:,} orders delivered; {books['invoices']:,} invoices, {books['paid']:,} "
              f"paid; "
              f"{books['entries']:,} journal entries, {books['lines']:,} lines, {books['unbalanced']} unbalanced; "
              f"131 = {books['receivable']:,.0f}; 156 = {books['inventory']:,.0f} = valuation "
              f"{books['valuation']:,.0f}: {'books consistent' if books['ok'] else 'BOOKS INCONSISTENT'}")
        if other_tasks:
            print("Celery tasks the steps would have sent after their commits (recorded, not run): " + ", ".join(
                f"{name} x {count}" for name, count in sorted(other_tasks.items())))

        print()
        total = sum(len(captured[s]) for s in STEPS)
        print(f"statements of one representative flow ({total} in all; count x shape, literals folded, SQL ms = "
              f"their summed timings):")
        for step in STEPS:
            sql_ms = sum(q["time"] for q in captured[step]) * 1000
            print(f"  {step}: {len(captured[step])} statements, {sql_ms:.1f} ms SQL")
            for count, total_ms, statement in grouped(captured[step]):
                shown = statement if len(statement) <= args.statement_width else \
                    statement[:args.statement_width - 1] + "…"
                print(f"    {count:2d} x {total_ms:6.2f} ms  {shown}")
        tables: dict[str, int] = {}
        for step in STEPS:
            for query in captured[step]:
                shape = normalized(query["sql"])
                table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", shape)
                key = f"{shape.split(' ', 1)[0]} {table.group(1) if table else ''}".strip()
                tables[key] = tables.get(key, 0) + 1
        print("  by statement kind and first table: " + ", ".join(
            f"{key} {count}" for key, count in sorted(tables.items(), key=lambda item: -item[1])))
        slowest = sorted((q for s in STEPS for q in captured[s]), key=lambda q: q["time"], reverse=True)[:3]
        print("  slowest: " + "; ".join(f"{q['time'] * 1000:.2f} ms {normalized(q['sql'])[:100]}" for q in slowest))
        if profile_text:
            print()
            print(f"cProfile of {args.profile} more flows (all seven steps, deal writing included):")
            print(profile_text)
        if not books["ok"]:
            raise SystemExit("the books do not agree after the run")
    finally:
        connection.set_schema_to_public()
        bc.cache_keys_drop()
        bc.finish(keep_db=args.keep_db)
        print(f"total run time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
