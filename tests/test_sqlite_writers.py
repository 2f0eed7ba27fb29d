"""The embedded database under `make run`: the web server and the worker write to one SQLite
file at once, and neither sees "database is locked"."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking"),
]


def test_a_web_process_and_a_worker_writing_at_once_never_fail():
    people = UserFactory.create_batch(4)
    database = settings.DATABASES["default"]["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aptem.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    root = Path(__file__).resolve().parent.parent
    writers = [
        subprocess.Popen(  # the web server's edits and the worker's tasks
            [sys.executable, "-m", "tests.sqlite_writer", "4", ",".join(str(p.pk) for p in half)],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for half in (people[:2], people[2:])
    ]
    outcomes = [json.loads(writer.communicate(timeout=120)[0]) for writer in writers]
    assert all(writer.returncode == 0 for writer in writers)
    assert [outcome["errors"] for outcome in outcomes] == [[], []]
    assert all(outcome["done"] > 20 for outcome in outcomes), outcomes
