"""What keeps the public call pages from being abused: a rate limit per client address (in the cache, as
the login's limits: Redis when configured, shared by every web process, failing open while Redis is down —
programme/cache.py) and a honeypot field that people never see and robots fill in."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from programme.adapters import client_ip

#: (hits, seconds) per client address and kind of request; PARCOURS_CALL_RATE_LIMITS overrides them.
#: `page`: opening a call or a resume link (guessing tokens goes through it); `post`: saving or sending.
#: `lookup`: the structure's lookup in the register while typing (a few per structure typed).
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {"page": (120, 600), "post": (30, 600), "lookup": (60, 300)}

#: The honeypot's field name: plausible to a robot, hidden from people (CSS class, out of the tab order).
HONEYPOT = "website"


def limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "PARCOURS_CALL_RATE_LIMITS", {})}


def rate_limited(request: HttpRequest, kind: str) -> bool:
    """Count this request against its address's budget (a fixed window); True once it is spent."""
    hits, seconds = limits()[kind]
    key = f"calls:rl:{kind}:{client_ip(request)}"
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr, or the cache is down (fail open)
        cache.add(key, 1, timeout=seconds)
        return False
    return count > hits


def is_robot(request: HttpRequest) -> bool:
    """The honeypot is filled in: a robot (people never see the field)."""
    return bool(request.POST.get(HONEYPOT, "").strip())
