"""Receipts as qualified simplified invoices (適格簡易請求書), and refund receipts
as qualified return invoices (適格返還請求書).

A restaurant may issue the simplified form. It must show: the issuer's name
and registration number, the date of the sale, what was sold with the items
at the reduced rate marked (※), the total per tax rate, and the tax per rate
(or the rate). A refund's must show the issuer, the date of the refund and of
the original sale, the items given back (※ marked), and the amount and tax
given back per rate. One dict feeds the JSON API, the printable page and the
ESC/POS printer, so all three always say the same thing.

What was issued is what a copy shows: the issuer is kept with the sale
(registers.events.Issuer), the lines with their names, prices and rates as
sold; only sales recorded before the issuer was kept fall back to the store
as it is now. Each receipt is in one language: the store's, or English when
the device asks for it (``lang``).
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registers import sets, tax
from registers.events import Issuer, ReceiptPrinted
from registers.models import REFUND_ORDER, Order, OrderLine, OrderVoid, Refund
from stores import printable
from stores.invoice import invoice_number_problem
from stores.models import Store
from sync.models import Change
from sync.services import change_record

REDUCED_MARK = "※"
LANGS = ("ja", "en")


def receipt_lang(wanted: str | None, device_choice: str | None = None) -> str:
    """The language of a receipt: the one asked for, else the one the device chose for
    its screens (the register's language switch), else the store's (settings.LANGUAGE_CODE)."""
    for lang in (wanted, device_choice):
        if lang in LANGS:
            return lang
    return settings.LANGUAGE_CODE


def issuer_of(store: Store) -> Issuer:
    """The issuer as the store is now: kept with each sale and refund when it is recorded."""
    return Issuer(name=store.name, name_en=store.name_en, invoice_number=store.invoice_number, address=store.address)


def _issuer(kept: dict[str, Any] | None, store: Store) -> dict[str, Any]:
    return Issuer.model_validate(kept).model_dump() if kept else issuer_of(store).model_dump()


def _issuer_fields(issuer: dict[str, Any], lang: str) -> dict[str, Any]:
    number = issuer["invoice_number"]
    return {
        "issuer": issuer,
        "store_name": (issuer["name_en"] or issuer["name"]) if lang == "en" else issuer["name"],
        "store_address": issuer["address"],
        "invoice_number": number,
        "invoice_number_valid": bool(number) and invoice_number_problem(number) is None,
    }


def _local_text(moment: Any, zone: zoneinfo.ZoneInfo, lang: str) -> str:
    with translation.override(lang):
        return moment.astimezone(zone).strftime(_("%Y-%m-%d %H:%M"))


def _reduced(line: OrderLine) -> bool:
    """Whether (some of) the line is taxed at the reduced rate: a set when any of its components is."""
    rates = [rate for rate, _share in line.rate_parts() or [(line.tax_rate, 0)]]
    return tax.REDUCED_RATE in rates


def _line(line: OrderLine, lang: str, qty: int | None = None) -> dict[str, Any]:
    qty = line.qty if qty is None else qty
    reduced = _reduced(line)
    return {
        "position": line.position,
        "name": (line.name_en or line.name_ja) if lang == "en" else line.name_ja,
        "modifiers": [(m.get("name_en") or m["name_ja"]) if lang == "en" else m["name_ja"] for m in line.modifiers],
        "qty": qty,
        "unit_price": line.unit_price,
        "amount": line.unit_price * qty,
        "tax_rate": line.tax_rate,
        "reduced": reduced,
        "mark": REDUCED_MARK if reduced else "",
        # A set menu is one line; its components say at which rate each part was taxed.
        "components": [
            {"name": (c.get("name_en") or c["name_ja"]) if lang == "en" else c["name_ja"],
             "qty": c["qty"], "tax_rate": c["tax_rate"],
             "mark": REDUCED_MARK if c["tax_rate"] == tax.REDUCED_RATE else ""}
            for c in line.components or []
        ],
        # The line's yen per tax rate (a set's split over its components' rates).
        "rate_amounts": sets.line_rates(qty, line.unit_price, line.tax_rate, line.rate_parts()),
    }


def rate_breakdown(lines: list[dict[str, Any]], taxes: list[dict[str, Any]]) -> list[dict[str, int]]:
    """Per rate: the items' sum, the discount (値引) on them, and the taxable total and tax.

    ``items - discount == taxable`` for every rate, so the paper adds up line by
    line: a bill discount is split over the rates when it is taken
    (registers/pricing.py), and that split is what the taxes per rate record.
    """
    items: dict[int, int] = {}
    for line in lines:
        for rate, amount in line["rate_amounts"].items():
            items[rate] = items.get(rate, 0) + amount
    rows = []
    for rate in taxes:
        gross = items.get(rate["rate"], rate["taxable"])
        rows.append({"rate": rate["rate"], "items": gross, "discount": gross - rate["taxable"],
                     "taxable": rate["taxable"], "tax": rate["tax"]})
    return rows


def receipt_for(*, order: Order, store: Store, copy: bool = False, lang: str | None = None) -> dict[str, Any]:
    """The receipt of ``order``; ``copy`` marks a reprint (再発行) so it is never taken for a second sale."""
    lang = receipt_lang(lang)
    zone = zoneinfo.ZoneInfo(store.time_zone)
    local = order.placed_at.astimezone(zone)
    void = OrderVoid.objects.filter(order_id=order.id).first()
    refunds = list(Refund.objects.filter(order_id=order.id).order_by(*REFUND_ORDER))
    lines = [_line(line, lang) for line in order.lines.all()]
    rates = rate_breakdown(lines, order.taxes)
    return {
        "kind": "sale",
        "lang": lang,
        "order": str(order.id),
        **_issuer_fields(_issuer(order.issuer, store), lang),
        "number": order.number,
        "register": order.register,
        "dining": order.dining,
        "issued_at": local.isoformat(),
        "date_text": _local_text(order.placed_at, zone, lang),
        "copy": copy,
        "voided": void is not None,
        "lines": lines,
        "items_total": sum(line["amount"] for line in lines),
        "discounts": [{"rate": r["rate"], "amount": r["discount"]} for r in rates if r["discount"]],
        "rates": rates,
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
        "refunds": [{"id": str(r.id), "amount": r.amount, "method": r.method, "taxes": r.taxes, "at": r.at.isoformat()}
                    for r in refunds],
        "has_reduced": any(line["reduced"] for line in lines),
    }


def refund_receipt_for(*, order: Order, refund: Refund, store: Store, copy: bool = False,
                       lang: str | None = None) -> dict[str, Any]:
    """The refund's receipt (適格返還請求書): refund and sale dates, items given back (※), refund and tax per rate."""
    lang = receipt_lang(lang)
    zone = zoneinfo.ZoneInfo(store.time_zone)
    sold = {line.position: line for line in order.lines.all()}
    lines = [_line(sold[part["position"]], lang, part["qty"]) for part in refund.lines if part["position"] in sold]
    rates = rate_breakdown(lines, refund.taxes)
    return {
        "kind": "refund",
        "lang": lang,
        "order": str(order.id),
        "refund": str(refund.id),
        **_issuer_fields(_issuer(refund.issuer or order.issuer, store), lang),
        "number": order.number,
        "copy": copy,
        "refunded_at": refund.at.astimezone(zone).isoformat(),
        "date_text": _local_text(refund.at, zone, lang),
        "sold_at": order.placed_at.astimezone(zone).isoformat(),
        "sale_date_text": _local_text(order.placed_at, zone, lang),
        "lines": lines,
        "discounts": [{"rate": r["rate"], "amount": r["discount"]} for r in rates if r["discount"]],
        "rates": rates,
        "total": refund.amount,
        "taxes": refund.taxes,
        "method": refund.method,
        "has_reduced": any(line["reduced"] for line in lines),
    }


def _method(method: str) -> str:
    return {"cash": _("Cash"), "card": _("Credit card"), "qr": _("QR payment")}.get(method, method)


def _yen(amount: int) -> str:
    return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"


def receipt_text_lines(receipt: dict[str, Any], width: int = 42) -> list[tuple[str, str]]:
    """The receipt as (style, text) lines for a fixed-width printer; ``width`` in printer columns.

    Styles: "title" (double size: half as many columns), "center", "text",
    "bold". No line is wider than it may be (stores.printable counts columns).
    """
    with translation.override(receipt["lang"]):
        out = _refund_lines(receipt, width) if receipt["kind"] == "refund" else _sale_lines(receipt, width)
    return _fitted(out, width)


def _header(receipt: dict[str, Any], title: str, width: int) -> list[tuple[str, str]]:
    out = [("title", title)]
    if receipt["copy"]:
        out.append(("center", _("(reprint, copy)")))
    if receipt.get("voided"):
        out.append(("title", _("VOIDED")))
    out.append(("center", receipt["store_name"]))
    if receipt["store_address"]:
        out.append(("center", receipt["store_address"]))
    out.append(("center", _("Registration No. %(number)s") % {"number": receipt["invoice_number"] or _("(not registered)")}))
    return out


def _item_lines(receipt: dict[str, Any], width: int, sign: int = 1) -> list[tuple[str, str]]:
    out = [("text", "-" * width)]
    for line in receipt["lines"]:
        out += _columns(f"{line['mark']}{line['name']}", _yen(sign * line["amount"]), width)
        out += [("text", f"  {mod}") for mod in line["modifiers"]]
        if line["qty"] > 1:
            out.append(("text", "  " + _("%(qty)s x ¥%(price)s") % {"qty": line["qty"], "price": f"{line['unit_price']:,}"}))
    out.append(("text", "-" * width))
    return out


def _sale_lines(receipt: dict[str, Any], width: int) -> list[tuple[str, str]]:
    out = _header(receipt, _("Receipt"), width)
    out.append(("text", receipt["date_text"]))
    out.append(("text", f"No. {receipt['number']}  {_('Eat in') if receipt['dining'] == 'eat_in' else _('Take out')}"))
    out += _item_lines(receipt, width)
    if receipt["discounts"]:
        out += _columns(_("Subtotal"), _yen(receipt["items_total"]), width)
        for discount in receipt["discounts"]:
            out += _columns(_("Discount (%(rate)s%% items)") % {"rate": discount["rate"]}, _yen(-discount["amount"]), width)
    out += _columns(_("Total"), _yen(receipt["total"]), width, style="bold")
    for rate in receipt["taxes"]:
        out += _columns(_("%(rate)s%% items") % {"rate": rate["rate"]}, _yen(rate["taxable"]), width)
        out += _columns(" " + _("Tax included (%(rate)s%%)") % {"rate": rate["rate"]}, _yen(rate["tax"]), width)
    for p in receipt["payments"]:
        label = _("Cash tendered") if p["method"] == "cash" else _method(p["method"])
        out += _columns(label, _yen(p["tendered"]), width)
        if p["offline"]:
            out.append(("text", "  " + _("Offline card, to be approved by %(when)s") % {"when": p["settle_by"][:16].replace("T", " ")}))
        if p["reference"]:
            out.append(("text", f"  Ref {p['reference']}"))
    if receipt["change"]:
        out += _columns(_("Change"), _yen(receipt["change"]), width)
    for r in receipt["refunds"]:
        out += _columns(_("Refund"), _yen(-r["amount"]), width)
    if receipt["has_reduced"]:
        out.append(("text", _("%(mark)s reduced tax rate (8%%) item") % {"mark": REDUCED_MARK}))
    return out


def _refund_lines(receipt: dict[str, Any], width: int) -> list[tuple[str, str]]:
    out = _header(receipt, _("Refund receipt"), width)
    out += _columns(_("Refund date"), receipt["date_text"], width)
    out += _columns(_("Date of sale"), receipt["sale_date_text"], width)
    out.append(("text", f"No. {receipt['number']}"))
    out += _item_lines(receipt, width, sign=-1)
    for discount in receipt["discounts"]:
        out += _columns(_("Discount (%(rate)s%% items)") % {"rate": discount["rate"]}, _yen(discount["amount"]), width)
    out += _columns(_("Refund total"), _yen(-receipt["total"]), width, style="bold")
    for rate in receipt["taxes"]:
        out += _columns(_("Refund of %(rate)s%% items") % {"rate": rate["rate"]}, _yen(-rate["taxable"]), width)
        out += _columns(" " + _("Tax included (%(rate)s%%)") % {"rate": rate["rate"]}, _yen(-rate["tax"]), width)
    out += _columns(_("Refunded by"), _method(receipt["method"]), width)
    if receipt["has_reduced"]:
        out.append(("text", _("%(mark)s reduced tax rate (8%%) item") % {"mark": REDUCED_MARK}))
    return out


def _columns(left: str, right: str, width: int, style: str = "text") -> list[tuple[str, str]]:
    """``left`` and ``right`` on one line when they fit, else ``right`` alone on the next, flush right."""
    room = width - printable.columns(left) - printable.columns(right)
    if room >= 1:
        return [(style, left + " " * room + right)]
    right_line = " " * max(0, width - printable.columns(right)) + right
    return [(style, piece) for piece in printable.wrap(left, width)] + [(style, right_line)]


def _fitted(lines: list[tuple[str, str]], width: int) -> list[tuple[str, str]]:
    """Every line cut to its room: a title is printed double width, so it has half the columns."""
    out = []
    for style, text in lines:
        room = width // 2 if style == "title" else width
        out += [(style, piece) for piece in printable.wrap(text, room)]
    return out


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
