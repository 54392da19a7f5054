"""Template helpers of the shared layout."""
from django import template

from pairwork.navigation import optional_reverse

register = template.Library()


@register.simple_tag
def optional_url(url_name: str, *args) -> str:
    """Like {% url %}, but '' instead of an error while the page does not exist yet.

    Use with `as`: {% optional_url "visits:detail" visit.pk as detail_url %}.
    """
    return optional_reverse(url_name, *args) or ""


@register.filter
def whole_minutes(duration) -> int:
    """A timedelta as whole minutes, rounded up (a lock of 29 min 30 s says 30)."""
    return -(-int(duration.total_seconds()) // 60)
