"""The typed event contract: the base class of every change-log payload, its registry,
and HQ's master-data events.

A change's ``payload`` is the JSON dump of one ``Event``; its ``kind`` names
the event class. The change log outlives every version of the code, so:

- parsing ignores fields it does not know (a newer peer's additions), and
  an added field must be optional with a default (old changes lack it);
- a class dumps exactly the keys and value formats today's and yesterday's
  nodes write and read (``tests/fixtures/changes_v1.json``), so old nodes
  read what new nodes write; a stored payload is never rewritten (the hash
  chain covers it);
- each class says who may author it (``authors``), what it waits for before
  it can be projected (``requires``) and what it provides to changes waiting
  on it (``provides``).

Apps declare their events in their own ``events.py``; this module imports no app.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationError


class Authority(enum.Enum):
    """Who may author an event; replication refuses a change its sender may not write.

    HQ proves itself by its signature (sync/signing.py), a store's node by
    its store's key and an origin bound to that store (sync/merge.py refusal).
    """

    #: Master data (menu, prices, stations, store settings): only from HQ,
    #: signed with HQ's key, for every store ("*").
    HQ = "hq"
    #: A store's own facts (sales, money, kitchen, marks): from a node of the
    #: change's own store, never shared by all stores.
    STORE_NODE = "store_node"
    #: Store facts that HQ may record for a store too (a device paired or
    #: revoked in HQ's admin), still bound to that one store.
    HQ_OR_STORE_NODE = "hq_or_store_node"


def _iso(value: Any) -> Any:
    # pydantic would also take a number of seconds; payloads hold ISO strings.
    if not isinstance(value, (str, dt.datetime)):
        raise ValueError("timestamp must be an ISO 8601 string")
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must carry a time zone offset")
    return value


# An aware moment, dumped as ``datetime.isoformat()`` ("...+00:00"), as every
# payload has always written it (pydantic's own JSON form would write "Z").
Timestamp = Annotated[
    dt.datetime, BeforeValidator(_iso), AfterValidator(_aware), PlainSerializer(lambda v: v.isoformat(), return_type=str, when_used="json")
]
# The most yen any one amount may be: a price, a payment, an order's total, a
# refund. Every node refuses more where money enters, and the contract below
# refuses it from a peer, so nothing a store accepts is refused at HQ. 10^12:
# - money columns are 64-bit (2^63 ~ 9.2 * 10^18), so a sum of 9 million
#   maximal amounts (a day's, a chain's) still fits a column;
# - a JavaScript number is exact to 2^53 ~ 9.0 * 10^15, so the register and
#   the manager page show any amount, and sums of thousands, to the yen;
# - it is far above any real bill and above 2^31, which a 32-bit column
#   could not hold (PostgreSQL's integer).
MAX_YEN = 10**12

# Money in integer yen, and counts: a JSON integer, never a float, string or bool.
Yen = Annotated[int, Field(strict=True, ge=-MAX_YEN, le=MAX_YEN)]
Count = Annotated[int, Field(strict=True)]


class Payload(BaseModel):
    """A nested part of a payload (a sold line, a payment): frozen, tolerant of added fields."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class EventInvalid(ValueError):
    """A payload does not fit its kind's event class; the message says where ("order.paid: payments[0].amount: ...")."""


class KindTaken(TypeError):
    """Two event classes declared the same kind."""


_registry: dict[str, type[Event]] = {}


class Event(Payload):
    """One fact in the change log. Subclasses that set ``kind`` are registered under it."""

    kind: ClassVar[str]
    authors: ClassVar[Authority] = Authority.STORE_NODE
    #: Folded before the other kinds of a batch: what refers to it (a payment,
    #: a void) is folded against the row it writes.
    fold_first: ClassVar[bool] = False
    #: Keys left out of the dump when None (optional fields older payloads never had).
    omit_when_none: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        kind = cls.__dict__.get("kind")
        if kind is None:
            return  # an abstract base (shared fields of several kinds)
        if kind in _registry:
            raise KindTaken(f"event kind {kind!r} is declared by {_registry[kind].__qualname__} and {cls.__qualname__}")
        _registry[kind] = cls

    def requires(self) -> str | None:
        """The fact this event needs before it can be projected (e.g. "order:<id>"), or None."""
        return None

    def provides(self) -> str | None:
        """The fact this event establishes for events waiting on it, or None."""
        return None

    def payload(self) -> dict[str, Any]:
        """The JSON payload stored in the change log."""
        data = self.model_dump(mode="json", by_alias=True)
        for key in self.omit_when_none:
            if data.get(key) is None:
                data.pop(key, None)
        return data


def event_class(kind: str) -> type[Event] | None:
    """The class of ``kind``, or None for a kind this version does not know (a newer peer's)."""
    return _registry.get(kind)


def event_classes() -> dict[str, type[Event]]:
    """Every registered kind and its class (all apps' events modules must be imported)."""
    return dict(_registry)


def event_parse(kind: str, payload: Any) -> Event:
    """Parse a stored or received payload with its kind's class; EventInvalid says what is wrong."""
    cls = _registry.get(kind)
    if cls is None:
        raise EventInvalid(f"{kind}: unknown event kind")
    try:
        return cls.model_validate(payload)
    except ValidationError as exc:
        raise EventInvalid(f"{kind}: {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ""
    for part in error["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return f"{where}: {error['msg']}" if where else error["msg"]


# --- Master data (authored at HQ, projected by sync/master.py) ---------------


class MasterChange(Event):
    """A master-data row named by model label and natural key."""

    authors: ClassVar[Authority] = Authority.HQ
    model: str
    key: str


class MasterUpserted(MasterChange):
    kind: ClassVar[str] = "master.upsert"
    fields: dict[str, Any] = {}

    def provides(self) -> str | None:
        return f"master:{self.model}:{self.key}"


class MasterDeleted(MasterChange):
    kind: ClassVar[str] = "master.delete"
