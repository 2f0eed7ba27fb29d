"""Pages made of parts that several apps contribute, without the page naming those apps.

Like Wagtail's hooks: the app that owns a page names a hook, other apps register a function
under it from their ``AppConfig.ready()``, and the page asks the registry for every part. A lower
app never imports an upper one; the upper app only registers.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_registry: dict[str, list[tuple[int, Callable[..., Any]]]] = defaultdict(list)


def register(hook: str, *, order: int = 100) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: add the function to ``hook``'s parts; lower ``order`` comes first."""

    def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
        parts = _registry[hook]
        if function not in [registered for _, registered in parts]:
            parts.append((order, function))
            parts.sort(key=lambda item: item[0])
        return function

    return decorator


def parts_of(hook: str) -> list[Callable[..., Any]]:
    return [function for _, function in _registry[hook]]


def collect(hook: str, *args: Any, **kwargs: Any) -> list[Any]:
    """Call every part of ``hook``; keep what they return, dropping None, flattening lists."""
    found: list[Any] = []
    for function in parts_of(hook):
        result = function(*args, **kwargs)
        if result is None:
            continue
        if isinstance(result, list | tuple):
            found.extend(result)
        else:
            found.append(result)
    return found
