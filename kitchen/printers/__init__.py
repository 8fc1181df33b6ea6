"""Printer outputs for kitchen tickets and receipts: one base class, one module per variant."""
