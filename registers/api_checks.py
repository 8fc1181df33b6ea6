"""The table service API: the floor, open checks, rounds, moves, merges and part payments.

Thin: parse, call one service or selector, answer. Every write carries an id
the device made, so the register's outbox may replay it to any sibling node.
"""

from __future__ import annotations

import uuid
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt

from registers import check_selectors, checks, courses, services
from registers.models import Check
from registers.schemas import ErrorOut, LineIn
from stores.auth import reader_auth, selling_auth

router = Router(auth=selling_auth, tags=["tables"])
ERRORS = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
TableField = Field(..., min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")


class CheckOpenIn(Schema):
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID = Field(..., description="Made by the client; sending it again is safe.")
    table: str = TableField
    guests: StrictInt = Field(..., ge=1, le=99)
    register: str = Field("", max_length=64)


class RoundIn(Schema):
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID = Field(..., description="The round's order id, made by the client.")
    register: str = Field("", max_length=64)
    lines: list[LineIn] = Field(..., min_length=1, max_length=100)
    note: str = Field("", max_length=200, description="The round's kitchen note (at most 60 characters once trimmed).")


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID
    table: str = TableField


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID
    into: uuid.UUID


class FireIn(Schema):
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID = Field(..., description="The fire's id, made by the client; sending it again is safe.")
    course: StrictInt = Field(..., ge=1, le=9, description="The course whose held items go to the kitchen now.")


class LineRef(Schema):
    model_config = ConfigDict(extra="forbid")
    order: uuid.UUID
    position: StrictInt = Field(..., ge=0, le=99)


class PartIn(Schema):
    model_config = ConfigDict(extra="forbid")
    id: uuid.UUID = Field(..., description="The part's id, made by the client; sending it again is safe.")
    method: Literal["cash", "card", "qr"]
    amount: StrictInt = Field(..., ge=1, le=10_000_000, description="Yen this part pays.")
    tendered: StrictInt | None = Field(None, ge=1, le=10_000_000, description="Cash handed over (change is given back).")
    lines: list[LineRef] = Field(default_factory=list, max_length=100, description="Split by items: the lines this part pays.")


def _answer(status: int, check: Check):
    return Status(status, check_selectors.check_view(check_selectors.check_root(check)))


def _refused(exc: Exception):
    if isinstance(exc, (checks.CheckMissing, courses.OrderMissing)):
        return Status(404, {"detail": str(exc)})
    if isinstance(exc, (checks.CheckClosed, services.OrderConflict)):
        return Status(409, {"detail": str(exc)})
    return Status(422, {"detail": str(exc)})


REFUSED = (courses.OrderMissing, checks.CheckMissing, checks.CheckClosed, checks.CheckRefused, services.OrderRejected, services.OrderConflict)


@router.get("/tables", auth=reader_auth, response={200: list[dict]}, summary="The floor: tables and their open checks")
def tables(request: HttpRequest):
    return check_selectors.floor(store=settings.POS_STORE)


@router.get("/checks", auth=reader_auth, response={200: list[dict]}, summary="Every open check, oldest first")
def checks_list(request: HttpRequest):
    return [check_selectors.check_view(c) for c in check_selectors.checks_open(store=settings.POS_STORE)]


@router.get("/checks/{check_id}", auth=reader_auth, response={200: dict, 404: ErrorOut}, summary="One check")
def check_detail(request: HttpRequest, check_id: uuid.UUID):
    check = Check.objects.filter(pk=check_id, store=settings.POS_STORE).first()
    if check is None:
        return Status(404, {"detail": f"no check {check_id}"})
    return _answer(200, check)


@router.post("/checks", response={200: dict, 201: dict, **ERRORS}, summary="Open a check for a table")
def check_open(request: HttpRequest, body: CheckOpenIn):
    try:
        check, created = checks.check_open(check_id=body.id, table=body.table, guests=body.guests, register=body.register)
    except REFUSED as exc:
        return _refused(exc)
    return _answer(201 if created else 200, check)


@router.post("/checks/{check_id}/rounds", response={200: dict, 201: dict, **ERRORS}, summary="Send a round to the kitchen")
def check_round(request: HttpRequest, check_id: uuid.UUID, body: RoundIn):
    data = {"check": str(check_id), **body.model_dump(mode="json")}
    services.lines_digestible(data["lines"])
    try:
        _, created = checks.check_round_send(
            check_id=check_id, order_id=body.id, register=body.register,
            lines=[services.line_request(line) for line in body.lines],
            request_hash=services.request_digest(data), note=body.note,
        )
    except REFUSED as exc:
        return _refused(exc)
    return _answer(201 if created else 200, Check.objects.get(pk=check_id))


@router.post("/checks/{check_id}/move", response={200: dict, **ERRORS}, summary="Move the check to another table")
def check_move(request: HttpRequest, check_id: uuid.UUID, body: MoveIn):
    try:
        return _answer(200, checks.check_move(command_id=body.id, check_id=check_id, table=body.table))
    except REFUSED as exc:
        return _refused(exc)


@router.post("/checks/{check_id}/merge", response={200: dict, **ERRORS}, summary="Merge the check into another")
def check_merge(request: HttpRequest, check_id: uuid.UUID, body: MergeIn):
    try:
        return _answer(200, checks.check_merge(command_id=body.id, check_id=check_id, into=body.into))
    except REFUSED as exc:
        return _refused(exc)


@router.post("/checks/{check_id}/payments", response={200: dict, 201: dict, **ERRORS}, summary="Pay one part of the bill")
def check_pay(request: HttpRequest, check_id: uuid.UUID, body: PartIn):
    try:
        check, created = checks.check_pay(
            part_id=body.id, check_id=check_id, method=body.method, amount=body.amount, tendered=body.tendered,
            lines=[(line.order, line.position) for line in body.lines] or None,
        )
    except REFUSED as exc:
        return _refused(exc)
    return _answer(201 if created else 200, check)


@router.post("/checks/{check_id}/fire", response={200: dict, **ERRORS}, summary="Fire a held course of the check")
def check_fire(request: HttpRequest, check_id: uuid.UUID, body: FireIn):
    try:
        check, fired = courses.check_course_fire(command_id=body.id, check_id=check_id, course=body.course)
    except REFUSED as exc:
        return _refused(exc)
    return Status(200, {**check_selectors.check_view(check), "fired": fired})


@router.post("/orders/{order_id}/fire", response={200: dict, **ERRORS}, summary="Fire a held course of an order")
def order_fire(request: HttpRequest, order_id: uuid.UUID, body: FireIn):
    try:
        fired = courses.order_course_fire(command_id=body.id, order_id=order_id, course=body.course)
    except REFUSED as exc:
        return _refused(exc)
    return Status(200, {"order": str(order_id), "course": body.course, "fired": fired})
