"""Cursor pagination by position, not offset: the cursor holds the last row's values of
every column the list is sorted by (signed, so a client can neither forge nor garble one
unnoticed), and the next page is the rows after that position. A publication added or
removed while a client walks the list neither shifts nor repeats the rest."""

import datetime as dt
from urllib.parse import urlencode

from django.core import signing
from django.db.models import FloatField, Q
from django.db.models.functions import Cast
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from dialogue_portal.core.links import absolute_url

SALT = "dialogue_portal.api.cursor"


def _encode(value):
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    return value


# Sort keys PostgreSQL sends rounded: RUM's distance is a float4, which arrives as text of six
# digits; a cursor reads and compares it as float8, so it names the row exactly (the order is
# the same, so the index still serves it).
EXACT_KEYS = {"distance": lambda: Cast("distance", FloatField())}


def _decode(value):
    if isinstance(value, dict) and set(value) == {"dt"}:
        return parse_datetime(value["dt"])
    return value


def _ordering(queryset):
    """[(name, descending)] of the queryset's ORDER BY, ``pk`` last as the tie-breaker (added
    where the order has none: search by rank order on RUM sorts by distance alone)."""
    fields = []
    for item in queryset.query.order_by:
        name = str(item)
        descending = name.startswith("-")
        fields.append((name.lstrip("-"), descending))
    if not fields or fields[-1][0] not in ("pk", "id"):
        fields.append(("pk", False))
    return fields


def _after(fields, values):
    """Rows strictly after ``values`` in the order of ``fields`` (a keyset condition)."""
    condition = None
    for index, (name, descending) in enumerate(fields):
        step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[index]})
        for earlier, (earlier_name, _descending) in enumerate(fields[:index]):
            step &= Q(**{earlier_name: values[earlier]})
        condition = step if condition is None else condition | step
    return condition


class KeysetCursorPagination(BasePagination):
    page_size = 20
    max_page_size = 100
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    invalid_cursor_message = _("The cursor is not valid for this list. Start again without it.")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        fields = _ordering(queryset)
        order = [f"-{name}" if descending else name for name, descending in fields]
        for name, _descending in fields:
            if name in EXACT_KEYS:
                queryset = queryset.annotate(**{f"{name}_exact": EXACT_KEYS[name]()})
        fields = [(f"{n}_exact" if n in EXACT_KEYS else n, desc) for n, desc in fields]
        names = [name for name, _descending in fields]
        size = self.get_page_size(request)
        raw = request.query_params.get(self.cursor_query_param)
        if raw is not None:
            try:
                cursor = signing.loads(raw, salt=SALT)
                if cursor.get("o") != order or len(cursor.get("v", ())) != len(names):
                    raise ValueError
                values = [_decode(value) for value in cursor["v"]]
            except (signing.BadSignature, ValueError, TypeError, AttributeError):
                raise ValidationError(
                    {self.cursor_query_param: [self.invalid_cursor_message]}
                ) from None
            queryset = queryset.filter(_after(fields, values))
        rows = list(queryset.order_by(*order)[: size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        self.next_cursor = None
        if self.has_next:
            last = rows[-1]
            values = [_encode(getattr(last, "pk" if name == "id" else name)) for name in names]
            self.next_cursor = signing.dumps({"o": order, "v": values}, salt=SALT, compress=True)
        return rows

    def get_next_link(self):
        if not self.next_cursor:
            return None
        params = [
            (key, value)
            for key, values in self.request.query_params.lists()
            for value in values
            if key != self.cursor_query_param
        ]
        params.append((self.cursor_query_param, self.next_cursor))
        return absolute_url(self.request.path) + "?" + urlencode(params)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": ["string", "null"],
                    "format": "uri",
                    "description": "The next page, or null on the last one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: taken from the previous page's `next`.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, 1 to {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
