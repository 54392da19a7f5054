"""Writing the access log: the only code that inserts AccessLog rows.

Inside a request (access.middleware.AccessLogMiddleware) the log keeps a
small ledger, so that each request leaves exactly one row per client it
touched, whatever the view does:

* a refusal, and whatever a service did (created, changed, exported), is
  written at once — inside the service's transaction, so the row and the
  change are kept or lost together;
* a read the guard allowed, and the LIST rows of a page that shows many
  clients, are *pending*: written when the response is ready, all of the
  request's rows in one INSERT, unless a row for the same client was written
  in the request meanwhile (the service's "changed" row says more than
  "viewed"; an export's service logs its own). A form re-shown after a failed
  POST therefore still leaves its "viewed" row, and a saved one only the
  service's. A page that lists the log itself calls `write_pending()` first,
  so that it shows its own row.

The channel (web, api, admin) comes from the request's path unless the
caller names it.
"""
from __future__ import annotations

import contextvars
import functools
from dataclasses import dataclass, field
from typing import Iterable

from django.db import connection
from django.utils import timezone

from .choices import Action, Channel
from .models import AccessLog
from .policy import Access, policy


@dataclass
class _Ledger:
    channel: str
    defer_reads: bool
    written: dict[int | None, list[int]] = field(default_factory=dict)
    pending: dict[int | None, dict] = field(default_factory=dict)


_ledger: contextvars.ContextVar[_Ledger | None] = contextvars.ContextVar("access_log_ledger", default=None)


def current_channel() -> str:
    ledger = _ledger.get()
    return ledger.channel if ledger is not None else Channel.WEB


def _row(*, user, client_id, object_type, object_id, action, access: Access, channel) -> dict:
    authenticated = user is not None and user.is_authenticated
    return {
        "user": user if authenticated else None,
        "username": user.get_username() if authenticated else "",
        "client_id": client_id,
        "object_type": str(object_type),
        "object_id": str(object_id or ""),
        "action": str(action),
        "grounds": str(access.grounds),
        "allowed": access.allowed,
        "channel": str(channel or current_channel()),
    }


def log_access(
    *,
    user,
    client_id: int | None,
    object_type: str,
    object_id: object = "",
    action: str,
    access: Access,
    channel: str | None = None,
) -> AccessLog:
    """Append one row now. Never raises on a missing client."""
    row = AccessLog.objects.create(**_row(
        user=user, client_id=client_id, object_type=object_type, object_id=object_id, action=action,
        access=access, channel=channel,
    ))
    ledger = _ledger.get()
    if ledger is not None:
        ledger.written.setdefault(client_id, []).append(row.pk)
    return row


def log_read(
    *, user, client_id: int | None, object_type: str, object_id: object = "", access: Access, channel: str | None = None,
    action: str = Action.VIEW, for_a_change: bool = False,
) -> None:
    """An allowed read: pending until the response inside a request (see the module's docstring), else written now.

    `for_a_change` (a read a service will log as its change) and the ledger's `defer_reads` no longer
    change anything: every read in a request waits for the response now. Kept for the callers.
    """
    ledger = _ledger.get()
    if ledger is None:
        log_access(user=user, client_id=client_id, object_type=object_type, object_id=object_id, action=action,
                   access=access, channel=channel)
        return
    ledger.pending.setdefault(client_id, _row(
        user=user, client_id=client_id, object_type=object_type, object_id=object_id, action=action,
        access=access, channel=channel,
    ))


def log_listing(*, user, client_ids: Iterable[int], object_type: str, channel: str | None = None) -> None:
    """A LIST row per distinct client shown to `user` (the caller has scoped the list).

    Clients already logged in this request are not listed again. Inside a
    request the rows are pending, written with the request's other rows in
    one INSERT when the response is ready; outside one, in one INSERT now.
    """
    ledger = _ledger.get()
    seen = set(ledger.written) | set(ledger.pending) if ledger is not None else set()
    ids = sorted(set(client_ids) - seen)
    if not ids:
        return
    access = policy(user).grounds
    if ledger is not None:
        for client_id in ids:
            ledger.pending[client_id] = _row(
                user=user, client_id=client_id, object_type=object_type, object_id="", action=Action.LIST,
                access=access, channel=channel,
            )
        return
    AccessLog.objects.bulk_create(
        AccessLog(**_row(user=user, client_id=client_id, object_type=object_type, object_id="", action=Action.LIST,
                         access=access, channel=channel))
        for client_id in ids
    )


def open_request(channel: str, *, writes: bool) -> contextvars.Token:
    """Start a request's ledger; `writes` for a method that may change data (POST, PUT, PATCH, DELETE)."""
    return _ledger.set(_Ledger(channel=channel, defer_reads=writes))


def write_pending() -> list[dict]:
    """Write the request's pending rows now (a page that shows the access log shows its own read).

    Returns them as `pending_rows` does, for a page cache frame to log again.
    """
    ledger = _ledger.get()
    if ledger is None or not ledger.pending:
        return []
    rows = pending_rows()
    for pk, client_id in _write(ledger):
        ledger.written.setdefault(client_id, []).append(pk)
    ledger.pending.clear()
    return rows


def pending_rows() -> list[dict]:
    """The request's pending read rows, without the user object (the page cache keeps them with a response)."""
    ledger = _ledger.get()
    if ledger is None:
        return []
    return [
        {**{name: value for name, value in row.items() if name != "user"},
         "user_id": row["user"].pk if row.get("user") is not None else row.get("user_id")}
        for row in ledger.pending.values()
    ]


def replay_rows(rows: list[dict]) -> None:
    """A response served again from the page cache logs the same reads again, written like any request's."""
    ledger = _ledger.get()
    if ledger is None:
        if rows:
            _insert(rows)
        return
    for row in rows:
        ledger.pending.setdefault(row["client_id"], dict(row))


def wrote_now(besides: Iterable[int] = ()) -> bool:
    """Did this request write a log row at once (a refusal, a change)? Such a response is never kept.

    `besides`: clients whose rows do not count (a page that lists its own read wrote it on purpose).
    """
    ledger = _ledger.get()
    return ledger is not None and bool(set(ledger.written) - set(besides))


def close_request(token: contextvars.Token, *, write: bool = True) -> None:
    """Write the pending rows that no other row of this request covers, in one INSERT; forget the ledger."""
    ledger = _ledger.get()
    _ledger.reset(token)
    if not write or ledger is None or not ledger.pending:
        return
    _write(ledger)


def _write(ledger: _Ledger) -> list[tuple[int, int | None]]:
    """(id, client id) of each row written: the pending rows no other row of the request covers, in one INSERT."""
    covered = set()
    written_ids = [pk for client_id, pks in ledger.written.items() if client_id in ledger.pending for pk in pks]
    if written_ids:
        # A row written inside a transaction that was then rolled back does not cover anything.
        covered = set(AccessLog.objects.filter(pk__in=written_ids).values_list("client_id", flat=True))
    missing = [row for client_id, row in ledger.pending.items() if client_id not in covered]
    return _insert(missing) if missing else []


_COLUMNS = ("user_id", "username", "client_id", "object_type", "object_id", "action", "grounds", "allowed", "channel")
_TYPES = dict(zip(_COLUMNS, ("bigint", "text", "bigint", "text", "text", "text", "text", "boolean", "text")))


@functools.cache
def _insert_statement(varying: tuple[str, ...]) -> str:
    """One statement, one round trip, whatever the number of rows (a calendar logs a row per client shown).

    The columns in `varying` come as arrays, unnested side by side; every other column is the same in every
    row (a listing's rows differ only in the client) and comes once. It commits on its own outside a
    transaction, as every request's reads are written.
    """
    values = ", ".join(column if column in varying else f"%s::{_TYPES[column]}" for column in _COLUMNS)
    arrays = ", ".join(f"%s::{_TYPES[column]}[]" for column in varying)
    return (
        f"INSERT INTO {AccessLog._meta.db_table} (at, {', '.join(_COLUMNS)}) "
        f"SELECT %s::timestamptz, {values} FROM unnest({arrays}) AS row ({', '.join(varying)}) RETURNING id, client_id"
    )


def _insert(rows: list[dict]) -> list[tuple[int, int | None]]:
    def user_id(row: dict):
        return row["user"].pk if row.get("user") is not None else row.get("user_id")

    values = {"user_id": [user_id(row) for row in rows], **{column: [row[column] for row in rows] for column in _COLUMNS[1:]}}
    # The client always varies (one row per client), so unnest gives one row per row, duplicates too.
    varying = tuple(column for column in _COLUMNS if column == "client_id" or len(set(values[column])) > 1)
    params = [timezone.now(), *(values[column][0] for column in _COLUMNS if column not in varying),
              *(values[column] for column in varying)]
    with connection.cursor() as cursor:
        cursor.execute(_insert_statement(varying), params)
        return cursor.fetchall()
