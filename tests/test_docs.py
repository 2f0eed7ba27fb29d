"""The README and docs/ say only what is true of this checkout: each `make` target and
`manage.py` command they name exists, each link to a file goes somewhere, and the README
stays short enough to read."""

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_command_named_exists(doc):
    text = doc.read_text()
    targets = make_targets()
    named = set(re.findall(r"`make ([a-z][\w-]*)", text)) | set(
        re.findall(r"^make ([a-z][\w-]*)", text, re.M)
    )
    assert named - targets == set(), f"{doc.name} names make targets the Makefile lacks"
    commands = set(re.findall(r"manage\.py ([a-z_]+)", text))
    assert commands - set(get_commands()) == set(), f"{doc.name} names unknown commands"


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_link_to_a_file_goes_somewhere(doc):
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc.read_text()):
        assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def test_the_readme_is_short_and_its_details_live_in_docs():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 250
    for page in ("guide.md", "api.md", "operations.md", "architecture.md", "benchmarks.md"):
        assert f"docs/{page}" in readme
