"""The finance template part: the books set up on the chart that fits the business type, when the plan has
invoicing. Circular 133/2016 is the small-and-medium-firm regime most Vietnamese SMEs keep; manufacturers and
large enterprises, who report in full, get Circular 99/2025 (which replaced Circular 200 from 2026). A workspace
whose books are already set up keeps its chart: applying again changes nothing."""

from __future__ import annotations

import onboarding.parts.inventory  # noqa: F401  (registered first: stock exists before its opening balance)
from modules.erp.accounting.models import AccountingSettings
from modules.erp.accounting.services.setup import accounting_enable
from onboarding.registry import template_part

CHART_FOR = {"manufacturing": AccountingSettings.Chart.TT99, "enterprise": AccountingSettings.Chart.TT99}


@template_part("accounting", feature="erp.invoicing")
def accounting_template_apply(*, business_type: str, sample_data: bool) -> None:
    if AccountingSettings.objects.exists():
        return
    accounting_enable(actor=None, chart=CHART_FOR.get(business_type, AccountingSettings.Chart.TT133))
