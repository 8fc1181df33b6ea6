"""The register: menu catalog, orders, payments, receipts, reports, and the register pages and API."""
