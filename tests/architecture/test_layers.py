"""The house points one way, and `make lint` says so when it does not."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("aptem", "api", "accounts", "employers", "learners", "uploads", "ui")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def run_lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the project's packages and contracts, safe to break."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_project_keeps_its_contracts(tree):
    result = run_lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
    assert f"{len(contracts)} kept, 0 broken" in result.stdout


def lint_with(tree: Path, module: str, addition: str) -> str:
    """Lint the copy after ``addition`` is appended to ``module``; the build must fail."""
    path = tree / module
    path.write_text(path.read_text() + addition)
    result = run_lint_imports(tree)
    assert result.returncode != 0, result.stdout
    return result.stdout


def test_a_back_import_from_accounts_to_learners_breaks_the_build(tree):
    report = lint_with(tree, "accounts/services.py", "\nimport learners  # noqa\n")
    assert "BROKEN" in report and "accounts.services -> learners" in report


def test_a_lazy_import_inside_a_function_is_caught_too(tree):
    sneaky = "\n\ndef sneaky():\n    from employers import selectors  # noqa\n"
    assert "accounts.views -> employers.selectors" in lint_with(tree, "accounts/views.py", sneaky)


def test_the_shared_ui_package_may_not_import_an_app(tree):
    report = lint_with(tree, "ui/parsing.py", "\nimport accounts.models  # noqa\n")
    assert "The shared ui package imports no app BROKEN" in report


def test_an_import_circle_inside_accounts_breaks_the_build(tree):
    # services imports tenancy's queryset through models; tenancy importing services closes a loop.
    report = lint_with(tree, "accounts/tenancy.py", "\nfrom . import services  # noqa\n")
    assert "No import circle inside accounts BROKEN" in report
