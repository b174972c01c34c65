"""The ledger at scale: the trial balance and the income statement over 1,000,000 journal lines, and posting
throughput through ``entry_post``.

One workspace on the Scale plan with its books on Circular 99 (tt99, ``accounting_enable``). Loaded with COPY (each
part in one transaction): journal entries of 2-4 balanced lines (one or two debits against one or two credits,
whole đồng)
over the two years before today, on 40 leaf accounts of the chart (the posting roles - cash, bank, receivables,
payables, VAT, stock, revenue, cost of goods, FX, other income and expense, opening balances - and other leaves
at random: assets, liabilities, revenue, expenses), receivable and payable lines with one of 500 parties, in the
five journals. The database's deferred balance trigger (``accounting_entry_balanced``) checks every line's entry
at COMMIT: the first ``--through-trigger`` lines (50,000 by default) are loaded through it and that COMMIT is timed;
the rest is loaded with the trigger disabled inside its loading transaction (ALTER TABLE ... DISABLE TRIGGER,
ENABLE again before the COMMIT; the output says so). Every loaded entry's balance is then checked by one GROUP BY,
and the tables are VACUUM ANALYZEd.

Then, for the last twelve months (so the trial balance reads every line: the year before is its opening), each
report selector of ``modules/erp/accounting/reports`` is called ``--runs`` times after one warm-up call (its own
queries counted): ``trial_balance`` (chart + one GROUP BY account over the lines up to the period's end),
``income_statement`` (B02-DN: the result accounts' lines of the period) and, for comparison, ``balance_sheet``
(B01-DN, grouped by account and party). Target: under 1 s each.

Posting: ``--post`` entries of three lines (Dr 131 with a party / Cr 511 / Cr 33311) through ``entry_post`` into
the loaded workspace, first one transaction (and COMMIT) per entry, then ``--batch`` entries per transaction.

    .venv/bin/python -m saas_platform.devservices -- .venv/bin/python bench/ledger.py
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import random
import time
from decimal import Decimal

import _common as bc
from order_flow import QueryCounter

PLAN = "scale"
CHART = "tt99"
N_ACCOUNTS = 40
N_PARTIES = 500
JOURNALS = ("BH", "MH", "TM", "NH", "TH")
TARGET_S = 1.0


def _accounts(rnd: random.Random) -> list:
    """The 40 leaf accounts the entries use: the posting roles first, then other leaves at random."""
    from modules.erp.accounting.charts import ROLE_ACCOUNTS
    from modules.erp.accounting.models import Account

    leaves = {a.code: a for a in Account.objects.filter(is_leaf=True).exclude(
        kind__in=(Account.Kind.OFF_BALANCE, Account.Kind.CLOSING))}
    chosen = list(dict.fromkeys(code for code in ROLE_ACCOUNTS[CHART].values() if code in leaves))
    others = sorted(set(leaves) - set(chosen))
    chosen += rnd.sample(others, N_ACCOUNTS - len(chosen))
    return [leaves[code] for code in chosen]


def _entries(rnd: random.Random, n_lines: int, accounts: list, journal_ids: dict, party_ids: list, days: list,
             first_number: int):
    """Yield (entry row, [line rows]) until ``n_lines`` lines; every entry balances (whole đồng)."""
    party_codes = {"131", "331"}
    made, number = 0, first_number

    def split(amount: int, parts: int) -> list[int]:
        cuts = sorted(rnd.sample(range(1, amount // 1000), parts - 1)) if parts > 1 else []
        return [(b - a) * 1000 for a, b in itertools.pairwise([0, *cuts, amount // 1000])]

    while made < n_lines:
        rest, size = n_lines - made, rnd.choice((2, 2, 3, 3, 3, 4))
        if size >= rest:
            size = max(2, rest)
        elif rest - size == 1:  # never leave a single line over
            size = size + 1 if size < 4 else size - 1
        debits = rnd.randint(1, size - 1)
        total = rnd.randrange(10, 500_000) * 1000
        picked = rnd.sample(accounts, size)
        day = rnd.choice(days)
        journal = rnd.choice(JOURNALS)
        sides = ([(account, amount, 0) for account, amount in zip(picked[:debits], split(total, debits), strict=True)]
                 + [(account, 0, amount) for account, amount in zip(picked[debits:], split(total, size - debits),
                                                                    strict=True)])
        lines = [(account.pk, rnd.choice(party_ids) if account.code in party_codes else None, debit, credit,
                  debit - credit, day) for account, debit, credit in sides]
        made += len(lines)
        number += 1
        yield (f"{journal}L{number:08d}", journal_ids[journal], day), lines


def _load_chunk(rnd: random.Random, n_lines: int, *, disable: bool, first_number: int, **world) -> dict:
    """Entries and lines by COPY in one transaction; ``disable``: the balance trigger off inside it."""
    from django.db import connection, transaction
    from django.utils import timezone

    from modules.erp.accounting.models import JournalEntry, JournalLine

    entry_table, line_table = JournalEntry._meta.db_table, JournalLine._meta.db_table
    posted_at = timezone.now()
    figures = {}
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if disable:
            cursor.execute(f"ALTER TABLE {line_table} DISABLE TRIGGER accounting_entry_balanced")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {entry_table}")
        first_id = next_id = cursor.fetchone()[0] + 1
        entry_rows, line_rows = [], []
        for (number, journal_id, day), lines in _entries(rnd, n_lines, first_number=first_number, **world):
            entry_rows.append((next_id, number, journal_id, day, "", "bench", posted_at))
            line_rows.extend((next_id, account_id, party_id, "", debit, credit, "VND", amount_currency, line_day)
                             for account_id, party_id, debit, credit, amount_currency, line_day in lines)
            next_id += 1
        figures.update(entries=len(entry_rows), lines=len(line_rows), generate_s=time.perf_counter() - t0)
        t0 = time.perf_counter()
        with cursor.copy(f"COPY {entry_table} (id, number, journal_id, date, reference, memo, posted_at) "
                         f"FROM STDIN") as copy:
            for row in entry_rows:
                copy.write_row(row)
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{entry_table}', 'id'), %s)", [next_id - 1])
        with cursor.copy(f"COPY {line_table} (entry_id, account_id, party_id, label, debit, credit, currency, "
                         f"amount_currency, date) FROM STDIN") as copy:
            for row in line_rows:
                copy.write_row(row)
        figures["copy_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        if disable:  # the deferred foreign-key checks run now: a table with pending trigger events cannot be altered
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {line_table} ENABLE TRIGGER accounting_entry_balanced")
    figures["commit_s"] = time.perf_counter() - t0  # deferred checks (foreign keys; balance when on), COMMIT
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM (SELECT entry_id FROM {line_table} WHERE entry_id >= %s "
                       f"GROUP BY entry_id HAVING SUM(debit) <> SUM(credit) OR SUM(amount_currency) <> 0) bad",
                       [first_id])
        figures["unbalanced"] = cursor.fetchone()[0]
    return figures


def load(*, n_lines: int, seed: int, through_trigger: int) -> dict:
    """Parties, then ``through_trigger`` lines loaded with the balance trigger on (timed at COMMIT), then the rest
    with it disabled inside their loading transaction (see the module's docstring)."""
    from django.utils import timezone

    from modules.erp.accounting.models import Journal
    from modules.parties.models import Party

    rnd = random.Random(seed)
    accounts = _accounts(rnd)
    parties = Party.objects.bulk_create([Party(name=f"Công ty TNHH Đối tác {i}", kind=Party.Kind.ORGANIZATION,
                                               is_customer=True, is_supplier=i % 3 == 0) for i in range(N_PARTIES)])
    today = timezone.localdate()
    world = {"accounts": accounts, "journal_ids": dict(Journal.objects.values_list("code", "pk")),
             "party_ids": [p.pk for p in parties],
             "days": [today - datetime.timedelta(days=offset) for offset in range(1, 731)]}
    chunks = {}
    on = min(through_trigger, n_lines)
    if on:
        chunks["trigger on"] = _load_chunk(rnd, on, disable=False, first_number=0, **world)
    if n_lines - on:
        chunks["trigger disabled"] = _load_chunk(rnd, n_lines - on, disable=True, first_number=10_000_000, **world)
    unbalanced = sum(chunk["unbalanced"] for chunk in chunks.values())
    if unbalanced:
        raise SystemExit(f"{unbalanced} loaded entries do not balance")
    return {"chunks": chunks, "entries": sum(c["entries"] for c in chunks.values()),
            "lines": sum(c["lines"] for c in chunks.values()), "accounts": accounts, "parties": parties}


def timed_calls(call, runs: int) -> tuple[list[float], int]:
    """One warm-up call, then ``runs`` timed calls; the queries of one call."""
    from django.db import connection

    call()
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        call()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return times, counter.count


def posting(owner, parties: list, n: int, batch: int) -> dict:
    """``n`` entries through ``entry_post`` one transaction each, then ``n`` more in transactions of ``batch``."""
    from django.db import connection, transaction
    from django.utils import timezone

    from modules.erp.accounting.services.posting import LineSpec, entry_post

    rnd = random.Random(11)
    today = timezone.localdate()

    def one() -> None:
        untaxed = Decimal(rnd.randrange(10, 50_000) * 1000)
        vat = (untaxed / 10).quantize(Decimal(1))
        party = rnd.choice(parties).pk
        entry_post(actor=owner, journal_code="BH", date=today, memo="bench", lines=[
            LineSpec(account="receivable", amount=untaxed + vat, party_id=party),
            LineSpec(account="revenue_goods", amount=-untaxed, party_id=party),
            LineSpec(account="output_vat", amount=-vat, party_id=party)])

    counter = QueryCounter()
    with transaction.atomic(), connection.execute_wrapper(counter):
        one()
    queries = counter.count
    single = []
    t0 = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        with transaction.atomic():
            one()
        single.append(time.perf_counter() - t)
    single_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for start in range(0, n, batch):
        with transaction.atomic():
            for _ in range(min(batch, n - start)):
                one()
    batched_s = time.perf_counter() - t0
    return {"single": single, "single_s": single_s, "batched_s": batched_s, "queries": queries}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000, help="journal lines loaded (default 1,000,000)")
    parser.add_argument("--through-trigger", type=int, default=50_000, metavar="N",
                        help="lines loaded first with the balance trigger on, its COMMIT timed (default 50,000); the "
                             "rest is loaded with it disabled inside the loading transaction. Give --lines to load "
                             "everything through it")
    parser.add_argument("--runs", type=int, default=7, help="timed calls per report (default 7)")
    parser.add_argument("--post", type=int, default=2000, help="entries posted through entry_post, each way")
    parser.add_argument("--batch", type=int, default=100, help="entries per transaction when batched (default 100)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--keep-db", action="store_true", help="leave database bench_saas in place")
    args = parser.parse_args()
    started = time.perf_counter()

    bc.setup(conn_max_age=600)
    from django.core.cache import caches
    from django.db import connection
    from django.utils import timezone

    from billing.services import subscription_change_plan
    from modules.erp.accounting.models import JournalLine
    from modules.erp.accounting.reports.ledger import trial_balance
    from modules.erp.accounting.reports.periods import ReportPeriod
    from modules.erp.accounting.reports.statements import balance_sheet, income_statement
    from modules.erp.accounting.services.setup import accounting_enable, fiscal_year_ensure

    for alias in ("default", "platform"):
        caches[alias].key_prefix = f"{caches[alias].key_prefix}:{bc.BENCH_DB}"

    try:
        bc.print_environment()
        owner = bc.make_user("owner@bench.test")
        tenant = bc.make_workspace("benchledger", owner)
        subscription_change_plan(tenant=tenant, plan_code=PLAN, actor=owner, note="bench")
        connection.set_tenant(tenant)
        accounting_enable(actor=owner, chart=CHART)
        today = timezone.localdate()
        for year in range(today.year - 2, today.year):
            fiscal_year_ensure(year)
        t0 = time.perf_counter()
        loaded = load(n_lines=args.lines, seed=args.seed, through_trigger=args.through_trigger)
        load_s = time.perf_counter() - t0
        connection.set_schema_to_public()
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        vacuum_s = time.perf_counter() - t0
        connection.set_tenant(tenant)
        total_lines = JournalLine.objects.count()
        print(f"workspace {tenant.schema_name} on plan {PLAN}, books on {CHART}: {loaded['entries']:,} entries, "
              f"{loaded['lines']:,} lines loaded ({total_lines:,} lines in all) on {len(loaded['accounts'])} accounts, "
              f"{N_PARTIES} parties, dated over the 730 days before today, each part in one transaction; load "
              f"{load_s:.1f} s, VACUUM ANALYZE {vacuum_s:.1f} s")
        for name, chunk in loaded["chunks"].items():
            how = ("through the deferred balance trigger: one check per line at COMMIT" if name == "trigger on" else
                   "with the balance trigger DISABLED (ALTER TABLE accounting_journalline DISABLE TRIGGER "
                   "accounting_entry_balanced inside the loading transaction, ENABLE before its COMMIT); every "
                   "entry's balance checked by one GROUP BY afterwards")
            print(f"  {chunk['lines']:,} lines / {chunk['entries']:,} entries {how}: generate "
                  f"{chunk['generate_s']:.1f} s, COPY {chunk['copy_s']:.1f} s, deferred checks and COMMIT "
                  f"{chunk['commit_s']:.1f} s "
                  f"({chunk['commit_s'] / chunk['lines'] * 1e6:.0f} µs per line, foreign-key checks included)")
        if len(loaded["chunks"]) == 2:
            on, off = loaded["chunks"]["trigger on"], loaded["chunks"]["trigger disabled"]
            per_line = on["commit_s"] / on["lines"] - off["commit_s"] / off["lines"]
            print(f"  the balance trigger costs about {per_line * 1e6:.0f} µs per line at COMMIT "
                  f"(~{per_line * args.lines:.0f} s for {args.lines:,} lines)")

        period = ReportPeriod(date_from=today - datetime.timedelta(days=364), date_to=today)
        in_period = JournalLine.objects.filter(date__gte=period.date_from, date__lte=period.date_to).count()
        reports = [
            ("trial_balance", lambda: trial_balance(period=period)),
            ("income_statement (B02-DN)", lambda: income_statement(chart=CHART, period=period)),
            ("balance_sheet (B01-DN)", lambda: balance_sheet(chart=CHART, period=period)),
        ]
        rows, checks = [], []
        for name, call in reports:
            times, queries = timed_calls(call, args.runs)
            p50 = bc.median(times)
            rows.append([name, bc.ms(p50), bc.ms(bc.percentile(times, 95)), bc.ms(min(times)), queries,
                         "yes" if p50 < TARGET_S else "NO"])
        report = trial_balance(period=period)
        checks.append(f"trial balance balanced: {report.balanced} (closing debits {report.totals['close_debit']:,.0f} "
                      f"= credits {report.totals['close_credit']:,.0f})")
        statement = income_statement(chart=CHART, period=period)
        checks.append(f"income statement: {len(statement.lines)} lines; result accounts with movements that no B02-DN "
                      f"line takes: {', '.join(a.code for a in statement.unmapped) or 'none'}")
        bc.print_table(["report (selector)", "ms p50", "ms p95", "ms min", "queries", "< 1 s"], rows,
                       title=f"reports for {period.label()} ({in_period:,} lines inside the period, "
                             f"{total_lines:,} up to its end), {args.runs} timed calls each after one warm-up call")
        for line in checks:
            print("  " + line)

        posted = posting(owner, loaded["parties"], args.post, args.batch)
        single = posted["single"]
        bc.print_table(
            ["entry_post, 3 lines", "entries", "seconds", "entries/s", "lines/s", "ms p50", "ms p95"],
            [["one transaction each", args.post, posted["single_s"], args.post / posted["single_s"],
              3 * args.post / posted["single_s"], bc.ms(bc.median(single)), bc.ms(bc.percentile(single, 95))],
             [f"{args.batch} per transaction", args.post, posted["batched_s"], args.post / posted["batched_s"],
              3 * args.post / posted["batched_s"], "", ""]],
            title=f"posting into the loaded workspace (Dr 131 / Cr 511 / Cr 33311; {posted['queries']} queries per "
                  f"entry, BEGIN/COMMIT not counted; the balance trigger checks each line at COMMIT)")
        print()
        print(f"1-min load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    finally:
        connection.set_schema_to_public()
        bc.cache_keys_drop()
        bc.finish(keep_db=args.keep_db)
        print(f"total run time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
