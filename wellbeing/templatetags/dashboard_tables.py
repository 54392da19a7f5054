"""The dashboard's table bodies, built in Python in one pass.

A dashboard table has thousands of cells; rendering each through three
template tags was the largest part of the page's time. `table_body` writes
the same HTML (a row header, then right-aligned numeric cells), every value
escaped.
"""
from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _cells(row) -> str:
    parts = []
    for index, (text, numeric) in enumerate(row):
        value = conditional_escape(text)
        if index == 0:
            parts.append(f'<th scope="row">{value}</th>')
        elif numeric:
            parts.append(f'<td class="text-end">{value}</td>')
        else:
            parts.append(f"<td>{value}</td>")
    return "".join(parts)


@register.filter
def table_body(rows) -> SafeString:
    """`rows` from Table.display_rows(): [[(text, is a number), ...], ...] as <tr> elements."""
    return mark_safe("".join(f"<tr>{_cells(row)}</tr>" for row in rows))
