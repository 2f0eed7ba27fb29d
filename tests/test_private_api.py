"""Product code uses no private name of Django or of another package (``make lint`` runs
.ci/private_api.py); the few allowed uses still exist where they are expected."""

import importlib.util
import inspect
import sys
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db.models.manager import BaseManager

ROOT = Path(__file__).resolve().parent.parent


def checker():
    spec = importlib.util.spec_from_file_location("private_api", ROOT / ".ci" / "private_api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PROBE = '''
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.cache import _not_modified


class Links(PasswordResetTokenGenerator):
    def _make_hash_value(self, user, timestamp):
        return str(timestamp)

    def ours(self):
        return self._num_seconds(self._now())

    def _own_helper(self):
        return self._own


def peek(queryset):
    return queryset._result_cache
'''


def test_the_check_finds_each_kind_of_private_use(tmp_path, monkeypatch):
    (tmp_path / "probeapp").mkdir()
    (tmp_path / "probeapp" / "__init__.py").write_text("")
    path = tmp_path / "probeapp" / "links.py"
    path.write_text(PROBE)
    monkeypatch.syspath_prepend(str(tmp_path))
    private_api = checker()
    monkeypatch.setattr(private_api, "PRODUCT", (*private_api.PRODUCT, "probeapp"))
    try:
        findings = private_api.findings_in("probeapp.links", path)
        found = {(name, where) for _, name, where in findings}
    finally:
        sys.modules.pop("probeapp.links", None)
        sys.modules.pop("probeapp", None)
    generator = "of django.contrib.auth.tokens.PasswordResetTokenGenerator"
    assert found == {
        ("_not_modified", "imported from django.utils.cache"),
        ("_make_hash_value", generator),
        ("_num_seconds", generator),
        ("_now", generator),
        ("_result_cache", "read on queryset"),
    }  # the class's own _own_helper and _own are its business


def test_the_product_uses_no_private_name_beyond_the_allowed_ones(capsys):
    assert checker().main() == 0, capsys.readouterr().out


def test_each_allowed_private_name_is_still_where_it_was():
    """An upgrade of Django that renames or reshapes one of these fails here, by name."""
    assert BaseManager()._db is None  # no database asked for: the router's choice
    assert list(inspect.signature(AbstractBaseUser._get_session_auth_hash).parameters) == [
        "self",
        "secret",
    ]
    assert list(inspect.signature(PasswordResetTokenGenerator._make_hash_value).parameters) == [
        "self",
        "user",
        "timestamp",
    ]
    assert list(
        inspect.signature(PasswordResetTokenGenerator._make_token_with_timestamp).parameters
    ) == ["self", "user", "timestamp", "secret"]
    assert {module for module, _ in checker().ALLOWED} <= {
        "accounts.models",
        "accounts.passwords",
        "accounts.invitations.tokens",
    }
