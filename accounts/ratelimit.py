from django.conf import settings
from django.core.cache import cache


def _key(key: str) -> str:
    return f"ratelimit:{key}"


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; True when ``key`` has now gone past ``limit`` in its window."""
    cache.add(_key(key), 0, window_seconds)
    try:
        count = cache.incr(_key(key))
    except ValueError:  # expired between add and incr
        cache.set(_key(key), 1, window_seconds)
        count = 1
    return count > limit


def hit_all(limits: list[tuple[str, int]], *, window_seconds: int) -> bool:
    """Count one attempt against every ``(key, limit)``, always all of them (one caller trying
    many keys meets one limit, many callers trying one key the other); True when any is past
    its limit."""
    return any([hit(key, limit=limit, window_seconds=window_seconds) for key, limit in limits])


def exceeded(key: str, *, limit: int) -> bool:
    """Whether ``key`` is already past ``limit``, without counting this look."""
    return (cache.get(_key(key)) or 0) >= limit


def reset(key: str) -> None:
    cache.delete(_key(key))


def client_address(request) -> str:
    """The caller's address. Behind TRUSTED_PROXY_COUNT proxies, the address the outermost of
    them saw (read from the right of X-Forwarded-For, where a caller cannot forge it)."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "unknown")
