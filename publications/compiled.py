"""Querysets whose SQL is built and compiled once per process, then only run.

A list of cards picks each work once in the reader's language (``one_per_work``): two
correlated NOT EXISTS with ranked versions, the other version of each card, the filters.
Building that queryset and compiling it to SQL takes Django some 9 ms, several times what
PostgreSQL needs to run it, and the home page has four such lists. Their SQL only differs
by the parameters a reader chose, which are part of the key, and by the clock: so
``rows(key, build)`` builds and compiles ``build()`` the first time a process meets
``key`` and afterwards runs the same SQL with the current time, through Django's own
iterable (select_related, annotations, prefetches and converters as the queryset has them).

The clock is found, not guessed: the queryset is built twice, with two different
sentinel times in place of ``now()`` (``publications.models.now``), and the parameters
that differ between the two must be exactly those sentinels. A queryset whose SQL holds
any other changing value (``now() - 30 days``, say) is refused with an error, so a stale
value can never be served.
"""

import copy
import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections

from publications.models import frozen_clock, now

# Per process: entries are a few kilobytes of SQL; a list's distinct filter sets beyond
# this many are compiled again when they come back.
SIZE = 512
SENTINELS = (
    dt.datetime(1901, 1, 1, 0, 0, 1, 1, tzinfo=dt.UTC),
    dt.datetime(1902, 2, 2, 0, 0, 2, 2, tzinfo=dt.UTC),
)


class ClockNotFound(RuntimeError):
    """A queryset's SQL changes with something other than the clock: not compiled once."""


@dataclass(frozen=True)
class Compiled:
    queryset: object
    compiler: object
    sql: str
    params: tuple
    slots: tuple  # (position in ``params``, name of the value: "now" or a keyword of rows())
    empty: bool = False


_entries = OrderedDict()
_lock = threading.Lock()


def _adapted(connection, moment):
    return connection.ops.adapt_datetimefield_value(moment)


def _sentinel(name, value, n):
    """A stand-in for ``value`` that nothing else in a query equals (n: 0 or 1)."""
    if isinstance(value, bool):
        raise TypeError(f"{name}: a flag changes the query's shape: put it in the key")
    if isinstance(value, int):
        return -(7_777_777_000 + 10 * n + 1)
    if isinstance(value, str):
        return f"\x1fcompiled:{name}:{n}\x1f"
    raise TypeError(f"{name}: only whole numbers and text can change between runs")


def _compile(build, values):
    """Build and compile twice, each time with its own stand-ins for the clock and for
    ``values``; the entry to keep, with the places where those go."""
    compiled = []
    for n, moment in enumerate(SENTINELS):
        stand_ins = {name: _sentinel(name, value, n) for name, value in values.items()}
        with frozen_clock(moment):
            queryset = build(**stand_ins)
        compiler = queryset.query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return Compiled(queryset, compiler, "", (), (), empty=True)
        connection = connections[queryset.db]
        expected = {_adapted(connection, moment): "now"}
        expected.update({stand_in: name for name, stand_in in stand_ins.items()})
        slots = tuple(
            (i, expected[value])
            for i, value in enumerate(params)
            if isinstance(value, (str, int, dt.datetime)) and value in expected
        )
        compiled.append((queryset, compiler, sql, tuple(params), slots))
    (queryset, compiler, sql, params, slots), (_q, _c, other_sql, other_params, other_slots) = (
        compiled
    )
    changing = tuple(i for i, (a, b) in enumerate(zip(params, other_params, strict=True)) if a != b)
    if sql != other_sql or slots != other_slots or changing != tuple(i for i, _ in slots):
        raise ClockNotFound(f"a parameter other than the clock changes between builds: {sql}")
    return Compiled(queryset, compiler, sql, params, slots)


def _entry(key, build, values):
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
            return entry
    entry = _compile(build, values)
    with _lock:
        _entries[key] = entry
        while len(_entries) > SIZE:
            _entries.popitem(last=False)
    return entry


def rows(key, build, **values):
    """The rows of ``build(**values)`` (a queryset, sliced as it should be) as a list:
    built and compiled once per process for ``key``, which must name everything the
    queryset depends on except the time and ``values`` (whole numbers or text that
    only go into the query as parameters: a primary key, a slug)."""
    entry = _entry(key, build, values)
    if entry.empty:
        return []
    queryset = entry.queryset._chain()
    connection = connections[queryset.db]
    params = list(entry.params)
    current = {name: connection.ops.adapt_unknown_value(value) for name, value in values.items()}
    if any(name == "now" for _position, name in entry.slots):
        current["now"] = _adapted(connection, now())
    for position, name in entry.slots:
        params[position] = current[name]
    compiler = copy.copy(entry.compiler)
    compiler.connection = connection
    compiler.using = queryset.db
    sql = entry.sql
    compiler.as_sql = lambda *args, **kwargs: (sql, params)
    queryset.query.get_compiler = lambda *args, **kwargs: compiler
    return list(queryset)


def forget():
    """Drop every compiled entry (tests that change the schema or settings)."""
    with _lock:
        _entries.clear()


def as_prefetched(instance, name, related_rows):
    """Give ``instance`` the ``related_rows`` of its reverse relation ``name`` as
    ``prefetch_related(name)`` would (so ``instance.<name>.all()`` makes no query), each
    row knowing ``instance`` as its parent."""
    field = getattr(type(instance), name).field
    queryset = field.model._default_manager.all()
    queryset._result_cache = list(related_rows)
    queryset._prefetch_done = True
    for row in queryset._result_cache:
        field.set_cached_value(row, instance)
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[field.remote_field.cache_name] = queryset
