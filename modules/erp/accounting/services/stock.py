"""What stock moves post, in the transaction that moves the stock, so the inventory account always equals the
valuation: one entry per batch of moves (source ``moves:<first id>``), one line pair per valued move.

  receipt          Dr 156 inventory   / Cr 331 payable (the supplier; the bill adds its VAT)
  opening stock    Dr 156 inventory   / Cr 4211 opening balances
  count surplus    Dr 156 inventory   / Cr 3381 surplus awaiting decision
  delivery         Dr 632 cost of goods sold / Cr 156 inventory
  count shortage   Dr 1381 shortage awaiting decision / Cr 156 inventory
  reversal         the original's accounts, sides swapped
Internal transfers move no value and post nothing. Without accounting set up nothing is posted; enabling it
posts the valuation of that day as opening stock.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from modules.erp.accounting.services.posting import LineSpec, entry_post
from modules.erp.errors import ErpError
from modules.erp.inventory.models import StockMove

IN_ACCOUNTS = {StockMove.Kind.RECEIPT: "payable", StockMove.Kind.OPENING: "opening",
               StockMove.Kind.ADJUSTMENT: "stock_surplus"}
OUT_ACCOUNTS = {StockMove.Kind.DELIVERY: "cogs", StockMove.Kind.ADJUSTMENT: "stock_shortage"}


def _counter_account(move: StockMove) -> str:
    return (IN_ACCOUNTS if move.location_from_id is None else OUT_ACCOUNTS)[move.kind]


def stock_moves_post_entry(moves: list[StockMove], actor) -> None:
    valued = [move for move in moves if move.value and (move.location_from_id is None or move.location_to_id is None)]
    if not valued:
        return
    reversed_ids = [move.reversal_of_id for move in valued if move.reversal_of_id]
    originals = {m.pk: m for m in StockMove.objects.filter(pk__in=reversed_ids)} if reversed_ids else {}
    lines = []
    for move in valued:
        # a reversal keeps the original's counter account, with the sides swapped by its own direction
        account = _counter_account(originals[move.reversal_of_id] if move.reversal_of_id else move)
        amount = move.value if move.location_from_id is None else -move.value
        label = f"{move.reference} {move.product.sku}".strip()
        lines.append(LineSpec(account="inventory", amount=amount, label=label))
        lines.append(LineSpec(account=account, amount=-amount, label=label,
                              party_id=move.party_id if account == "payable" else None))
    first = valued[0]
    try:
        entry_post(actor=actor, journal_code="TH", date=timezone.localdate(first.posted_at), lines=lines,
                   source=f"moves:{first.pk}", reference=first.reference, memo=_("Stock moves"))
    except ErpError as error:
        if error.code != "accounting_off":  # without accounting nothing is posted (enabling it posts the stock)
            raise
