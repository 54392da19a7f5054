"""Template helpers of the shared layout."""
from django import template

register = template.Library()


@register.filter
def whole_minutes(duration) -> int:
    """A timedelta as whole minutes, rounded up (a lock of 29 min 30 s says 30)."""
    return -(-int(duration.total_seconds()) // 60)
