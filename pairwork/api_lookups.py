from rest_framework.exceptions import NotFound


def path_id(raw) -> int:
    """An id taken from the URL; anything but digits is simply not found (never a 500)."""
    text = str(raw)
    if not text.isascii() or not text.isdigit():
        raise NotFound
    return int(text)
