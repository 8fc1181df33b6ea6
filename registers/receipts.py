"""Receipts as qualified simplified invoices (適格簡易請求書).

A restaurant may issue the simplified form. It must show: the issuer's name
and registration number, the date of the sale, what was sold with the items
at the reduced rate marked (※), the total per tax rate, and the tax per rate
(or the rate). One dict feeds the JSON API, the printable page and the ESC/POS
printer, so all three always say the same thing.
"""

from __future__ import annotations

import unicodedata
import zoneinfo
from typing import Any

from django.db import transaction
from django.utils import timezone

from registers import tax
from registers.events import ReceiptPrinted
from registers.models import Order, OrderLine, OrderVoid, Refund
from stores.invoice import invoice_number_problem
from stores.models import Store
from sync.models import Change
from sync.services import change_record

REDUCED_MARK = "※"


def receipt_for(*, order: Order, store: Store, copy: bool = False) -> dict[str, Any]:
    """The receipt of ``order``; ``copy`` marks a reprint (再発行) so it is never taken for a second sale."""
    zone = zoneinfo.ZoneInfo(store.time_zone)
    local = order.placed_at.astimezone(zone)
    void = OrderVoid.objects.filter(order_id=order.id).first()
    refunds = list(Refund.objects.filter(order_id=order.id).order_by("at", "id"))
    return {
        "order": str(order.id),
        "store_name": store.name,
        "invoice_number": store.invoice_number,
        "invoice_number_valid": bool(store.invoice_number) and invoice_number_problem(store.invoice_number) is None,
        "number": order.number,
        "register": order.register,
        "dining": order.dining,
        "issued_at": local.isoformat(),
        "date_text": local.strftime("%Y年%m月%d日 %H:%M"),
        "copy": copy,
        "voided": void is not None,
        "lines": [
            {
                "name": line.name_ja,
                "modifiers": [m["name_ja"] for m in line.modifiers],
                "qty": line.qty,
                "unit_price": line.unit_price,
                "amount": line.amount,
                "tax_rate": line.tax_rate,
                "reduced": _reduced(line),
                "mark": REDUCED_MARK if _reduced(line) else "",
                # A set menu is one line; its components say at which rate each part was taxed.
                "components": [
                    {"name": c["name_ja"], "qty": c["qty"], "tax_rate": c["tax_rate"],
                     "mark": REDUCED_MARK if c["tax_rate"] == tax.REDUCED_RATE else ""}
                    for c in line.components or []
                ],
            }
            for line in order.lines.all()
        ],
        "total": order.total,
        "taxes": order.taxes,
        "payments": [
            {
                "method": p.method,
                "amount": p.amount,
                "tendered": p.tendered,
                "change": p.change,
                "reference": p.reference,
                "offline": p.offline,
                "settle_by": p.settle_by.astimezone(zone).isoformat() if p.settle_by else None,  # store time
            }
            for p in order.payments.all()
        ],
        "change": order.change_given,
        "refunds": [{"amount": r.amount, "method": r.method, "taxes": r.taxes, "at": r.at.isoformat()} for r in refunds],
        "has_reduced": any(_reduced(line) for line in order.lines.all()),
    }


def _reduced(line: OrderLine) -> bool:
    """Whether (some of) the line is taxed at the reduced rate: a set when any of its components is."""
    rates = [rate for rate, _ in line.rate_parts() or [(line.tax_rate, 0)]]
    return tax.REDUCED_RATE in rates


METHOD_JA = {"cash": "現金", "card": "クレジット", "qr": "QR決済"}


def receipt_text_lines(receipt: dict[str, Any], width: int = 32) -> list[tuple[str, str]]:
    """The receipt as (style, text) lines for a fixed-width printer; ``width`` in half-width columns.

    Styles: "title", "center", "text", "bold". Japanese characters take two columns.
    """
    out: list[tuple[str, str]] = []
    out.append(("title", "領収書" if not receipt["copy"] else "領収書（再発行・控え）"))
    if receipt["voided"]:
        out.append(("title", "【取消】"))
    out.append(("center", receipt["store_name"]))
    out.append(("center", f"登録番号 {receipt['invoice_number'] or '(未登録)'}"))
    out.append(("text", receipt["date_text"]))
    out.append(("text", f"No. {receipt['number']}  {'店内' if receipt['dining'] == 'eat_in' else '持ち帰り'}"))
    out.append(("text", "-" * width))
    for line in receipt["lines"]:
        out.append(("text", _columns(f"{line['mark']}{line['name']}", f"¥{line['amount']:,}", width)))
        for mod in line["modifiers"]:
            out.append(("text", f"  {mod}"))
        if line["qty"] > 1:
            out.append(("text", f"  {line['qty']}点 x ¥{line['unit_price']:,}"))
    out.append(("text", "-" * width))
    out.append(("bold", _columns("合計", f"¥{receipt['total']:,}", width)))
    for rate in receipt["taxes"]:
        out.append(("text", _columns(f"{rate['rate']}%対象", f"¥{rate['taxable']:,}", width)))
        out.append(("text", _columns(f" 内消費税{rate['rate']}%", f"¥{rate['tax']:,}", width)))
    for p in receipt["payments"]:
        label = METHOD_JA.get(p["method"], p["method"])
        out.append(("text", _columns(label + ("(預り)" if p["method"] == "cash" else ""), f"¥{p['tendered']:,}", width)))
        if p["offline"]:
            out.append(("text", f"  オフライン決済 {p['settle_by'][:16].replace('T', ' ')}迄に承認"))
        if p["reference"]:
            out.append(("text", f"  Ref {p['reference']}"))
    if receipt["change"]:
        out.append(("text", _columns("お釣り", f"¥{receipt['change']:,}", width)))
    for r in receipt["refunds"]:
        out.append(("text", _columns("返金", f"-¥{r['amount']:,}", width)))
    if receipt["has_reduced"]:
        out.append(("text", f"{REDUCED_MARK}は軽減税率(8%)対象商品"))
    return out


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _columns(left: str, right: str, width: int) -> str:
    gap = max(1, width - display_width(left) - display_width(right))
    return left + " " * gap + right


def receipt_print(*, order: Order, store: Store, register: str) -> dict[str, Any]:
    """Record that the receipt was handed out; every print after the first is a copy (再発行).

    Prints are changes, so a reprint is in the journal (who printed what, when)
    and any node knows a receipt is already out, whichever node printed it.
    """
    with transaction.atomic():
        earlier = Change.objects.filter(kind=ReceiptPrinted.kind, payload__order=str(order.id)).count()
        change_record(
            ReceiptPrinted(order=order.id, reprint=earlier > 0, register_name=register, at=timezone.now()), store=order.store
        )
    return {**receipt_for(order=order, store=store, copy=earlier > 0), "print_number": earlier + 1}
