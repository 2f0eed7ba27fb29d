"""`make lint`: product code uses no private name (one with a leading underscore) of Django or
of another package, except the uses allowed below, each with its reason.

Found: an import of a private name; a private attribute read on anything but ``self``/``cls``
(``_meta`` is Django's documented Model API); and, in a class, a private name used on
``self``/``cls`` or defined as a method when the class that first defines it, along the class's
MRO, is not ours. Run as ``python .ci/private_api.py`` with Django's settings; exits 1 with
one line per finding.
"""

import ast
import importlib
import inspect
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("aptem", "accounts", "employers", "learners", "uploads", "ui", "api")

# (module, name): why it is used. tests/test_private_api.py checks that each still exists
# where it is expected, so an upgrade that moves one fails loudly.
ALLOWED = {
    ("accounts.models", "_db"): (
        "BaseManager._db: the database a manager was asked for, as Django's own documentation"
        " of custom user managers uses it (user.save(using=self._db))"
    ),
    ("accounts.models", "_get_session_auth_hash"): (
        "AbstractBaseUser._get_session_auth_hash: django.contrib.auth checks sessions signed"
        " with SECRET_KEY_FALLBACKS through it, so the session epoch must live there too"
    ),
    ("accounts.passwords", "_make_hash_value"): (
        "PasswordResetTokenGenerator._make_hash_value: the extension point Django's own"
        " documentation of the generator names, to say what ends a link"
    ),
    ("accounts.invitations.tokens", "_make_hash_value"): (
        "PasswordResetTokenGenerator._make_hash_value: as for password reset links"
    ),
    ("accounts.invitations.tokens", "_make_token_with_timestamp"): (
        "PasswordResetTokenGenerator._make_token_with_timestamp: an activation link lasts as"
        " long as its invitation, not PASSWORD_RESET_TIMEOUT, so check_token must verify the"
        " signature itself"
    ),
}


def ours(module: str) -> bool:
    return module.split(".")[0] in PRODUCT


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name != "_meta"


def modules() -> list[tuple[str, Path]]:
    found = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found.append((".".join(parts), path))
    return found


def first_definer(cls: type, name: str) -> type | None:
    """The class along ``cls``'s MRO, itself aside, that defines ``name`` first."""
    for base in inspect.getmro(cls)[1:]:
        if name in vars(base):
            return base
    return None


def findings_in(module_name: str, path: Path) -> list[tuple[int, str, str]]:
    tree = ast.parse(path.read_text(), str(path))
    found: list[tuple[int, str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not ours(node.module):
                for alias in node.names:
                    if private(alias.name):
                        found.append((node.lineno, alias.name, f"imported from {node.module}"))
        elif isinstance(node, ast.Attribute) and private(node.attr):
            on = node.value
            if not (isinstance(on, ast.Name) and on.id in ("self", "cls")):
                found.append((node.lineno, node.attr, f"read on {ast.unparse(on)}"))
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    module = importlib.import_module(module_name) if classes else None
    for node in classes:
        cls = getattr(module, node.name, None)
        if not isinstance(cls, type):
            continue
        used: dict[str, int] = {}
        for inner in ast.walk(node):
            if (
                isinstance(inner, ast.Attribute)
                and isinstance(inner.value, ast.Name)
                and inner.value.id in ("self", "cls")
                and private(inner.attr)
            ):
                used.setdefault(inner.attr, inner.lineno)
        for item in node.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and private(item.name):
                used.setdefault(item.name, item.lineno)
        for name, line in used.items():
            definer = first_definer(cls, name)
            if definer is not None and not ours(definer.__module__):
                found.append((line, name, f"of {definer.__module__}.{definer.__qualname__}"))
    return [finding for finding in found if (module_name, finding[1]) not in ALLOWED]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aptem.settings.test")
    import django

    django.setup()
    failures = 0
    for module_name, path in modules():
        for line, name, where in findings_in(module_name, path):
            failures += 1
            print(
                f"{path.relative_to(ROOT)}:{line}: private name {name} {where}: use a public"
                " API, or allow it in .ci/private_api.py with the reason"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
