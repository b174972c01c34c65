"""Sales order flow against a large stock ledger: quotation -> confirm (reserve + delivery) -> deliver.

Two workspaces on the Growth plan (sales and one-warehouse inventory), in the same database and process:

  loaded    10,000 goods products (bulk_create) on a general VND price list, each with a StockLevel at the
            default location (WH/STOCK) and a ProductValuation; 1,000,000 StockMove rows (COPY): one opening
            move per product, then receipts and deliveries in time order over two years, products at random.
            The quantities and values are simulated the way ``moves_post`` computes them (weighted average,
            the out value rounded to the dong), so the levels and valuations equal the sums of their moves;
            this is checked after loading and again at the end;
  baseline  100 goods products, one opening move each, nothing else.

then VACUUM ANALYZE. Every order: 5 lines of distinct random products (1-10 units each, always in stock),
prices from the price list, through the real services, each call its own transaction (and commit):

  create   ``sales_order_create``   (the quotation; timed on its own);
  confirm  ``sales_order_confirm``  (reserves the stock, makes the delivery picking ready);
  deliver  ``picking_validate``     of that delivery (posts 5 moves, closes the order).

The delivery picking is looked up between confirm and deliver, untimed (a page has its id). The two
workspaces alternate in rounds, so noise from anything else on the machine falls on both alike. Wall time by
perf_counter, queries counted on every call with ``connection.execute_wrapper`` (savepoints included; the
COMMIT of each transaction is not a query there). One extra order per workspace records every
statement (untimed), listed grouped by shape (literals and column lists folded). ``--profile N`` adds a
cProfile of N more orders (where this process spends its time: mostly waiting on the round trips).

    .venv/bin/python -m saas_platform.devservices -- .venv/bin/python bench/order_flow.py
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import _common as bc

PLAN = "growth"  # erp.sales and erp.inventory (one warehouse): all the flow needs
LINES = 5
CHUNK = 5000
STOCK_FLOOR = 2000  # the simulated history never takes a product below this: orders always find stock
PHASES = ("create", "confirm", "deliver")

NOUNS = ["Áo sơ mi", "Quần tây", "Giày da", "Nồi cơm điện", "Quạt đứng", "Bàn phím", "Chuột không dây", "Ấm siêu tốc",
         "Bình giữ nhiệt", "Đèn bàn LED", "Ổ cắm điện", "Tai nghe", "Cáp sạc", "Balo", "Vali kéo", "Ghế xoay"]
ADJECTIVES = ["cao cấp", "tiêu chuẩn", "mini", "loại 1", "xuất khẩu", "nhập khẩu", "gia đình", "văn phòng"]


# --------------------------------------------------------------------------- loading


def _history(rnd: random.Random, product_ids: list[int], n_moves: int, start, end):
    """Yield (kind, product id, quantity, incoming, unit_cost, value, posted_at) in time order and return the
    final {product id: [quantity, value]}. Integers: VND has no decimals, quantities are whole units."""
    state = {}
    for pk in product_ids:
        cost = rnd.randrange(20, 2000) * 1000
        quantity = rnd.randrange(STOCK_FLOOR + 1000, STOCK_FLOOR + 5000)
        state[pk] = [quantity, quantity * cost, cost]
        yield ("opening", pk, quantity, True, cost, quantity * cost, start)
    rest = max(0, n_moves - len(product_ids))
    span = (end - start).total_seconds()
    for i in range(rest):
        pk = rnd.choice(product_ids)
        row = state[pk]
        posted_at = start + timedelta(seconds=span * (i + 1) / (rest + 1))
        quantity = rnd.randrange(10, 300)
        if rnd.random() < 0.5 or row[0] - quantity < STOCK_FLOOR:  # a receipt, at a cost near the last one
            row[2] = max(1000, row[2] + rnd.randrange(-row[2] // 20, row[2] // 20 + 1) // 100 * 100)
            value = quantity * row[2]
            row[0] += quantity
            row[1] += value
            yield ("receipt", pk, quantity, True, row[2], value, posted_at)
        else:  # a delivery at the weighted average, half up to the dong (as _posting._value_out)
            value = (2 * row[1] * quantity + row[0]) // (2 * row[0])
            row[0] -= quantity
            row[1] -= value
            yield ("delivery", pk, quantity, False, None, value, posted_at)
    return {pk: (row[0], row[1]) for pk, row in state.items()}


def load(*, n_products: int, n_moves: int, seed: int, label: str) -> dict:
    """Products, price list, customers, the move ledger, levels and valuations in the current schema."""
    from django.db import connection
    from django.utils import timezone

    from modules.erp.catalog.models import PriceList, PriceListItem, Product, Unit
    from modules.erp.inventory.models import ProductValuation, StockLevel, StockMove, Warehouse
    from modules.parties.models import Party

    rnd = random.Random(seed)
    steps = {}

    def step(name: str, t0: float) -> None:
        steps[name] = time.perf_counter() - t0

    t0 = time.perf_counter()
    unit = Unit.objects.get(code="chiec")
    products = Product.objects.bulk_create(
        [Product(kind=Product.Kind.GOODS, sku=f"SP{i:06d}", name=f"{rnd.choice(NOUNS)} {rnd.choice(ADJECTIVES)} #{i}",
                 base_unit=unit, vat_code=rnd.choice(["10", "10", "10", "5", "0"]),
                 sale_price=Decimal(rnd.randrange(30, 3000) * 1000)) for i in range(n_products)],
        batch_size=CHUNK)
    price_list = PriceList.objects.create(name="Giá bán lẻ", currency="VND")
    PriceListItem.objects.bulk_create(
        [PriceListItem(price_list=price_list, product=p, min_quantity=Decimal(1), price=p.sale_price)
         for p in products], batch_size=CHUNK)
    customers = Party.objects.bulk_create(
        [Party(name=f"Công ty TNHH Khách hàng {label} {i}", kind=Party.Kind.ORGANIZATION, is_customer=True)
         for i in range(50)])
    step("products, price list, customers (bulk_create)", t0)

    t0 = time.perf_counter()
    location = Warehouse.objects.get(is_default=True).locations.get(is_default=True)
    now = timezone.now()
    product_ids = [p.pk for p in products]
    history = _history(rnd, product_ids, n_moves, now - timedelta(days=730), now - timedelta(days=1))
    customer_ids = [c.pk for c in customers]
    columns = ["kind", "product_id", "lot_id", "quantity", "location_from_id", "location_to_id", "unit_cost", "value",
               "picking_id", "picking_line_id", "party_id", "reference", "reversal_of_id", "actor_id", "posted_at"]
    count = 0
    with connection.cursor() as cursor, cursor.copy(
            f'COPY "{StockMove._meta.db_table}" ({", ".join(columns)}) FROM STDIN') as copy:
        while True:
            try:
                kind, pk, quantity, incoming, cost, value, posted_at = next(history)
            except StopIteration as stop:
                final = stop.value
                break
            if incoming:
                unit_cost = cost
                row = (kind, pk, None, quantity, None, location.pk, unit_cost, value, None, None, None,
                       "Tồn đầu kỳ" if kind == "opening" else f"WH/IN/H{count:07d}", None, None, posted_at)
            else:
                unit_cost = (Decimal(value) / quantity).quantize(Decimal("0.0001"))
                row = (kind, pk, None, quantity, location.pk, None, unit_cost, value, None, None,
                       rnd.choice(customer_ids), f"WH/OUT/H{count:07d}", None, None, posted_at)
            copy.write_row(row)
            count += 1
    step(f"{count:,} stock moves (COPY)", t0)

    t0 = time.perf_counter()
    StockLevel.objects.bulk_create(
        [StockLevel(product_id=pk, location=location, on_hand=Decimal(q)) for pk, (q, _v) in final.items()],
        batch_size=CHUNK)
    ProductValuation.objects.bulk_create(
        [ProductValuation(product_id=pk, quantity=Decimal(q), value=Decimal(v)) for pk, (q, v) in final.items()],
        batch_size=CHUNK)
    step("levels and valuations (bulk_create)", t0)
    return {"steps": steps, "customers": customers, "products": products}


def ledger_mismatches() -> int:
    """Products whose level (one location) or valuation differs from the sum of their moves, or whose
    reserved quantity is not zero."""
    from django.db import connection

    sql = """
        WITH ledger AS (
            SELECT product_id,
                   SUM(CASE WHEN location_from_id IS NULL THEN quantity ELSE -quantity END) AS quantity,
                   SUM(CASE WHEN location_from_id IS NULL THEN value ELSE -value END) AS value
            FROM inventory_stockmove GROUP BY product_id)
        SELECT COUNT(*) FROM inventory_stocklevel l
        JOIN inventory_productvaluation v ON v.product_id = l.product_id
        LEFT JOIN ledger m ON m.product_id = l.product_id
        WHERE l.reserved <> 0 OR m.product_id IS NULL OR l.on_hand <> m.quantity OR v.quantity <> m.quantity
           OR v.value <> m.value
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


# --------------------------------------------------------------------------- measuring


class QueryCounter:
    """An execute_wrapper: counts the statements of the current call and sums their wall time."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - t


class QueryRecorder:
    """An execute_wrapper: every statement with its wall time (perf_counter: finer than the millisecond
    CaptureQueriesContext keeps). BEGIN and COMMIT are not statements here."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append({"sql": sql, "time": time.perf_counter() - t})


class StepTimer:
    """Times one run's calls by step: wall and CPU seconds, statements and their SQL seconds (``counter``), or,
    with ``statements`` given, every statement of each step recorded there instead."""

    def __init__(self, counter: QueryCounter, statements: dict | None = None):
        self.counter, self.statements = counter, statements
        self.wall, self.cpu, self.queries, self.sql = {}, {}, {}, {}

    def __call__(self, step: str, call):
        from django.db import connection

        wrapper = self.counter if self.statements is None else QueryRecorder()
        self.counter.count, self.counter.seconds = 0, 0.0
        with connection.execute_wrapper(wrapper):
            t, c = time.perf_counter(), time.process_time()
            result = call()
            self.wall[step], self.cpu[step] = time.perf_counter() - t, time.process_time() - c
        if self.statements is None:
            self.queries[step], self.sql[step] = self.counter.count, self.counter.seconds
        else:
            self.statements[step] = wrapper.queries
        return result


_SHAPES = [
    (re.compile(r"'(?:[^']|'')*'"), "?"),
    (re.compile(r"%s"), "?"),
    (re.compile(r"\b\d+(?:\.\d+)?\b"), "?"),
    (re.compile(r"SELECT (?:(?!\bFROM\b)[^()]){40,} FROM"), "SELECT … FROM"),  # long column lists
    (re.compile(r'(INSERT INTO "\w+") \((?:"\w+", )*"\w+"\)'), r"\1 (…)"),
    (re.compile(r"\((?:\s*(?:\?|NULL|DEFAULT)\s*(?:::[\w\[\]]+)?\s*,?)+\)"), "(…)"),
    (re.compile(r"(?:\(…\)\s*,\s*)+\(…\)"), "(…)"),
    (re.compile(r"(?:\bWHEN\b.*?\bTHEN\b.*?(?=\bWHEN\b|\bELSE\b))+", re.S), "WHEN … "),
    (re.compile(r'"(\w+)"'), r"\1"),
    (re.compile(r"(?:\(\w+\.\w+ = \? AND \w+\.\w+ = \? AND \w+\.\w+ (?:= \?|IS NULL)\)(?: OR )?)+"),
     "(product_id = ? AND location_id = ? AND lot_id IS NULL) OR …"),
    (re.compile(r"SAVEPOINT \w+"), "SAVEPOINT s…"),
]


def normalized(sql: str) -> str:
    for pattern, replacement in _SHAPES:
        sql = pattern.sub(replacement, sql)
    return " ".join(sql.split())


def grouped(captured: list[dict]) -> list[tuple[int, float, str]]:
    """(count, total ms, statement) per distinct statement shape, in order of first appearance."""
    order, counts, times = [], Counter(), Counter()
    for query in captured:
        key = normalized(query["sql"])
        if key not in counts:
            order.append(key)
        counts[key] += 1
        times[key] += query["time"] * 1000
    return [(counts[key], times[key], key) for key in order]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=200, help="timed orders per workspace (default 200)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed orders per workspace first (default 5)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds alternating the workspaces (default 4)")
    parser.add_argument("--products", type=int, default=10_000, help="products of the loaded workspace")
    parser.add_argument("--moves", type=int, default=1_000_000, help="stock moves of the loaded workspace")
    parser.add_argument("--baseline-products", type=int, default=100,
                        help="products of the baseline workspace (one opening move each)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--statement-width", type=int, default=260, help="characters shown per grouped statement")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile N more orders in the loaded workspace (cProfile), print the top functions")
    parser.add_argument("--keep-db", action="store_true", help="leave database bench_saas in place")
    args = parser.parse_args()
    if args.products < LINES or args.baseline_products < LINES:
        parser.error(f"an order has {LINES} distinct products: give at least {LINES}")
    started = time.perf_counter()

    bc.setup(conn_max_age=600)
    from django.core.cache import caches
    from django.db import connection

    from billing.services import subscription_change_plan
    from modules.erp.inventory.models import Picking, Warehouse
    from modules.erp.inventory.services import picking_validate
    from modules.erp.sales.models import SalesOrder
    from modules.erp.sales.services import sales_order_confirm, sales_order_create

    for alias in ("default", "platform"):  # the bench's keys under a prefix of their own, deleted at the end
        caches[alias].key_prefix = f"{caches[alias].key_prefix}:{bc.BENCH_DB}"

    try:
        bc.print_environment()
        owner = bc.make_user("owner@bench.test")
        spaces = {}
        for name, slug, n_products, n_moves in (("baseline", "benchflow0", args.baseline_products, 0),
                                                 ("loaded", "benchflow1", args.products, args.moves)):
            tenant = bc.make_workspace(slug, owner)
            subscription_change_plan(tenant=tenant, plan_code=PLAN, actor=owner, note="bench")
            connection.set_tenant(tenant)
            t0 = time.perf_counter()
            loaded = load(n_products=n_products, n_moves=max(n_moves, n_products), seed=args.seed, label=name)
            spaces[name] = {"tenant": tenant, "load_s": time.perf_counter() - t0, **loaded,
                            "times": {phase: [] for phase in PHASES}, "queries": {phase: [] for phase in PHASES},
                            "sql": {phase: [] for phase in PHASES}, "cpu": {phase: [] for phase in PHASES}}
            connection.set_schema_to_public()

        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # autocommit here: VACUUM cannot run in a transaction
        vacuum_s = time.perf_counter() - t0

        from modules.erp.inventory.models import StockMove

        for name, space in spaces.items():
            connection.set_tenant(space["tenant"])
            space["moves"] = StockMove.objects.count()
            t0 = time.perf_counter()
            bad = ledger_mismatches()
            check_s = time.perf_counter() - t0
            if bad:
                raise SystemExit(f"{name}: {bad} products whose level or valuation differs from the ledger")
            print(f"{name:8} workspace {space['tenant'].schema_name} on plan {PLAN}: {len(space['products']):,} "
                  f"products, {space['moves']:,} stock moves; load {space['load_s']:.1f} s ("
                  + ", ".join(f"{k} {v:.1f} s" for k, v in space["steps"].items())
                  + f"); levels = valuations = ledger sums for every product (checked in {check_s:.1f} s)")
        print(f"VACUUM ANALYZE: {vacuum_s:.1f} s")
        connection.set_schema_to_public()

        rnd = random.Random(args.seed + 1)
        counter = QueryCounter()

        def one_order(space: dict, *, record: bool, statements: dict | None = None) -> None:
            """One order through the three calls; ``statements``: record every statement of each call."""
            chosen = rnd.sample(space["products"], LINES)
            lines = [{"product": product, "quantity": Decimal(rnd.randrange(1, 11))} for product in chosen]
            party = rnd.choice(space["customers"])
            timed = StepTimer(counter, statements)

            order = timed("create", lambda: sales_order_create(actor=owner, party=party, lines=lines))
            order = timed("confirm", lambda: sales_order_confirm(actor=owner, order=order))
            picking = Picking.objects.get(sales_order=order, state=Picking.State.READY)  # untimed, uncounted
            timed("deliver", lambda: picking_validate(actor=owner, picking=picking))
            if record:
                for phase in PHASES:
                    space["times"][phase].append(timed.wall[phase])
                    space["queries"][phase].append(timed.queries[phase])
                    space["sql"][phase].append(timed.sql[phase])
                    space["cpu"][phase].append(timed.cpu[phase])

        def enter(space: dict) -> None:
            """Into the workspace's schema, paying its SET search_path before anything is timed."""
            connection.set_tenant(space["tenant"])
            Warehouse.objects.exists()

        for space in spaces.values():
            enter(space)
            for _ in range(args.warmup):
                one_order(space, record=False)

        rounds = max(1, args.rounds)
        per_round = [args.orders // rounds + (1 if r < args.orders % rounds else 0) for r in range(rounds)]
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        names = list(spaces)
        for r in range(rounds):
            for name in names if r % 2 == 0 else reversed(names):
                space = spaces[name]
                enter(space)
                gc.collect()
                for _ in range(per_round[r]):
                    one_order(space, record=True)
        measure_s = time.perf_counter() - t0
        load_after = os.getloadavg()[0]

        # one representative order per workspace, every statement recorded (untimed)
        for space in spaces.values():
            enter(space)
            space["captured"] = {}
            one_order(space, record=False, statements=space["captured"])

        profile_text = ""
        if args.profile:
            import cProfile
            import io
            import pstats

            enter(spaces["loaded"])
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.profile):
                one_order(spaces["loaded"], record=False)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats("tottime").print_stats(25)
            ours = r"services|_posting|pickings|reservations|locks|lines|selectors|audit|numbering"
            stats.sort_stats("cumulative").print_stats(ours, 30)
            profile_text = out.getvalue()

        # everything delivered, and the books still equal the ledger
        for name, space in spaces.items():
            connection.set_tenant(space["tenant"])
            open_orders = SalesOrder.objects.exclude(state=SalesOrder.State.DONE).count()
            bad = ledger_mismatches()
            if open_orders or bad:
                raise SystemExit(f"{name}: {open_orders} orders not delivered, {bad} products off the ledger")
            space["orders_done"] = SalesOrder.objects.count()
            space["moves_after"] = StockMove.objects.count()
        connection.set_schema_to_public()

        # ---- figures
        def figures(space: dict) -> dict:
            t = space["times"]
            flow = [c + d for c, d in zip(t["confirm"], t["deliver"], strict=True)]
            total = [a + b for a, b in zip(t["create"], flow, strict=True)]
            return {
                "create": t["create"], "confirm": t["confirm"], "deliver": t["deliver"], "confirm+deliver": flow,
                "create+confirm+deliver": total,
                "orders_per_s": len(total) / sum(total), "flow_per_s": len(flow) / sum(flow),
            }

        fig = {name: figures(space) for name, space in spaces.items()}
        base, big = fig["baseline"], fig["loaded"]
        rows = []
        for part in ("create", "confirm", "deliver", "confirm+deliver", "create+confirm+deliver"):
            b50, b95 = bc.ms(bc.median(base[part])), bc.ms(bc.percentile(base[part], 95))
            l50, l95 = bc.ms(bc.median(big[part])), bc.ms(bc.percentile(big[part], 95))
            rows.append([part, b50, b95, l50, l95, l50 / b50, l95 / b95])
        sizes = (f"loaded: {len(spaces['loaded']['products']):,} products, {spaces['loaded']['moves']:,} moves; "
                 f"baseline: {len(spaces['baseline']['products']):,} products, "
                 f"{spaces['baseline']['moves']:,} moves")
        bc.print_table(
            ["ms per order", "baseline p50", "baseline p95", "loaded p50", "loaded p95", "ratio p50", "ratio p95"],
            rows,
            title=f"{args.orders} orders of {LINES} lines per workspace, {rounds} rounds alternating the workspaces, "
                  f"after {args.warmup} warm-up orders each ({sizes}); each call its own transaction and commit",
        )

        def queries_text(space: dict, phase: str) -> str:
            low, high = min(space["queries"][phase]), max(space["queries"][phase])
            return str(low) if low == high else f"{low}-{high}"

        per_order = {name: [sum(q) for q in zip(*(space["queries"][p] for p in PHASES), strict=True)]
                     for name, space in spaces.items()}
        qrows = [[phase, *(queries_text(spaces[name], phase) for name in names),
                  *(bc.ms(bc.median(spaces[name]["sql"][phase])) for name in names),
                  *(bc.ms(bc.median(spaces[name]["cpu"][phase])) for name in names),
                  *(bc.ms(bc.median(spaces[name]["times"][phase])) for name in names)] for phase in PHASES]
        qrows.append(["per order", *(f"{min(per_order[n])}-{max(per_order[n])}" if min(per_order[n]) != max(
            per_order[n]) else str(min(per_order[n])) for n in names), "", "", "", "", "", ""])
        bc.print_table(
            ["call", *(f"queries {n}" for n in names), *(f"SQL ms p50 {n}" for n in names),
             *(f"CPU ms p50 {n}" for n in names), *(f"wall ms p50 {n}" for n in names)], qrows,
            title="queries per call, min-max over the timed orders (savepoints included; BEGIN/COMMIT are not "
                  "statements); SQL ms = wall time inside the statements; CPU ms = this process (Python, driver), "
                  "partly overlapping the SQL time; COMMIT is in the wall time only")

        print()
        print(f"orders per second (one connection, serial): create+confirm+deliver {base['orders_per_s']:.1f} "
              f"baseline, {big['orders_per_s']:.1f} loaded "
              f"(loaded/baseline {big['orders_per_s'] / base['orders_per_s']:.2f}); "
              f"confirm+deliver {base['flow_per_s']:.1f} baseline, {big['flow_per_s']:.1f} loaded "
              f"(loaded/baseline {big['flow_per_s'] / base['flow_per_s']:.2f})")
        print(f"median confirm+deliver per order: {bc.ms(bc.median(big['confirm+deliver'])):.1f} ms loaded, "
              f"{bc.ms(bc.median(base['confirm+deliver'])):.1f} ms baseline (ratio "
              f"{bc.median(big['confirm+deliver']) / bc.median(base['confirm+deliver']):.2f}); queries per order "
              f"{bc.median(per_order['loaded']):.0f} loaded, {bc.median(per_order['baseline']):.0f} baseline (median)")
        print(f"measuring: {measure_s:.1f} s; 1-min load average {load_before:.2f} before, {load_after:.2f} after "
              f"({os.cpu_count()} CPUs: above ~1 means other processes competed)")
        print("after the run: " + "; ".join(
            f"{name} {space['orders_done']:,} orders delivered, {space['moves_after']:,} moves, levels = valuations "
            f"= ledger sums" for name, space in spaces.items()))

        for name in ("loaded", "baseline"):
            captured = spaces[name]["captured"]
            print()
            total = sum(len(captured[p]) for p in PHASES)
            print(f"statements of one representative order, {name} workspace ({total} in all; "
                  f"count x shape, literals folded, SQL ms = their summed timings):")
            for phase in PHASES:
                sql_ms = sum(q["time"] for q in captured[phase]) * 1000
                print(f"  {phase}: {len(captured[phase])} statements, {sql_ms:.1f} ms SQL")
                for count, total_ms, statement in grouped(captured[phase]):
                    shown = statement if len(statement) <= args.statement_width else \
                        statement[:args.statement_width - 1] + "…"
                    print(f"    {count:2d} x {total_ms:6.2f} ms  {shown}")
            slowest = sorted((q for p in PHASES for q in captured[p]), key=lambda q: q["time"],
                             reverse=True)[:3]
            print("  slowest: " + "; ".join(f"{q['time'] * 1000:.2f} ms {normalized(q['sql'])[:100]}"
                                            for q in slowest))
        if profile_text:
            print()
            print(f"cProfile of {args.profile} more orders in the loaded workspace (create + confirm + deliver):")
            print(profile_text)
    finally:
        connection.set_schema_to_public()
        bc.cache_keys_drop()
        bc.finish(keep_db=args.keep_db)
        print(f"total run time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
