"""The ERP overview at /erp/: stock value, low stock, deliveries due, sales by month, purchase suggestions."""
