"""The ERP's menu entries (a feature outside the plan shows a lock leading to the upgrade page)."""

from django.utils.translation import gettext_lazy as _

from saas_platform.navigation import NavItem, nav_register

ERP_NAV = [
    NavItem(key="erp", label=_("ERP overview"), url_name="erp_dashboard", icon="chart", module="erp",
            feature="erp.catalog", order=39),
    NavItem(key="products", label=_("Products"), url_name="product_list", icon="kanban", module="erp",
            feature="erp.catalog", order=40),
    NavItem(key="sales", label=_("Sales orders"), url_name="sales_order_list", icon="list", module="erp",
            feature="erp.sales", order=44),
    NavItem(key="stock", label=_("Stock"), url_name="inventory_stock", icon="building", module="erp",
            feature="erp.inventory", order=46),
    NavItem(key="stock_operations", label=_("Stock operations"), url_name="inventory_picking_list", icon="inbox",
            module="erp", feature="erp.inventory", order=47),
    NavItem(key="purchasing", label=_("Purchasing"), url_name="purchase_order_list", icon="card", module="erp",
            feature="erp.purchasing", order=48),
    NavItem(key="invoices", label=_("Invoices"), url_name="invoice_list", icon="card", module="erp",
            feature="erp.invoicing", order=50),
    NavItem(key="finance", label=_("Finance overview"), url_name="accounting_dashboard", icon="chart", module="erp",
            feature="erp.accounting", order=52),
    NavItem(key="journal_entries", label=_("Journal entries"), url_name="accounting_entry_list", icon="list",
            module="erp", feature="erp.accounting", order=53),
    NavItem(key="accounting_reports", label=_("Accounting reports"), url_name="accounting_reports", icon="chart",
            module="erp", feature="erp.accounting", order=54),
    NavItem(key="accounting_settings", label=_("Accounting settings"), url_name="accounting_settings",
            icon="building", module="erp", feature="erp.invoicing", order=55),
    NavItem(key="payments", label=_("Payments"), url_name="payment_list", icon="card", module="erp",
            feature="erp.invoicing", order=51),
    NavItem(key="aging", label=_("AR/AP aging"), url_name="erp_aging", icon="chart", module="erp",
            feature="erp.aging", order=56),
    NavItem(key="company", label=_("Company details"), url_name="company_detail", icon="building", module="erp",
            feature="erp.catalog", order=56),
]

for item in ERP_NAV:
    nav_register(item)
