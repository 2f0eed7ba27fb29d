"""One writer of the SQLite concurrency test (tests/test_sqlite_writers.py): for a few seconds,
read a person and write them back with an audit event, in one transaction each, as a page's
edit and the worker's tasks do. Prints how many writes were done and how many failed."""

import json
import os
import sys
import time


def main(seconds: float, user_ids: list[int]) -> None:
    import django

    django.setup()
    from django.db import OperationalError, transaction

    from accounts.audit import audit_record
    from accounts.models import User

    done = failed = 0
    errors: list[str] = []
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        for pk in user_ids:
            try:
                with transaction.atomic():
                    person = User.objects.select_related("tenant").get(pk=pk)
                    person.first_name = f"Writer{os.getpid() % 1000}"
                    person.save(update_fields=["first_name"])
                    audit_record(
                        tenant=person.tenant,
                        actor=None,
                        subject=person,
                        action="user.updated",
                        summary="Concurrency test",
                    )
                done += 1
            except OperationalError as error:
                failed += 1
                errors.append(str(error))
            # A request or a task does other work between its writes; without this pause,
            # a writer that has just committed takes SQLite's lock again at once and the
            # other (asleep in its busy handler) can wait its whole run.
            time.sleep(0.002)
    print(json.dumps({"done": done, "failed": failed, "errors": sorted(set(errors))}))


if __name__ == "__main__":
    main(float(sys.argv[1]), [int(pk) for pk in sys.argv[2].split(",")])
