"""Several machines on one PostgreSQL and one Redis: `python -m tests.multi_instance`.

Run by `.ci/run` after the PostgreSQL pass (`make multi-instance`). It starts two gunicorn
instances on two ports and two workers, with production settings, against a throwaway
PostgreSQL database and a Redis database, then checks what a load balancer in front of them
would rely on:

1. a session made on one instance works on the other;
2. a bounded load (employers created with an invitation, fresh links asked for, through both
   instances at once) answers no 5xx, and every email goes exactly once;
3. a sign-in pause reached through one instance holds on the other;
4. a worker killed while tasks are queued loses nothing: another finishes what it held, and
   nothing is sent twice;
5. PostgreSQL restarted under load: requests meanwhile answer 503 (never 500), and afterwards
   both instances and the surviving workers carry on without being restarted;
6. a CSV upload confirmed through one instance is imported by a worker while the other
   instance shows its progress (rows checked and written, shared through Redis) until it ends,
   and each invitation it queued goes exactly once.

It fails (exit 1), never skips, when PostgreSQL or Redis is missing.
"""

import collections
import concurrent.futures
import http.client
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
HOST = "aptem.test"
PG = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/15"
PASSWORD = "plum orchard lantern 42"
EMPLOYERS = 24
FRESH_LINKS = 12
UPLOAD_ROWS = 2500
UPLOAD_INVITED = 40


class Failed(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)
    print(f"  ok: {message}")


class Client:
    """A browser behind an HTTPS-terminating proxy: one cookie jar, any instance."""

    def __init__(self, address: str = "203.0.113.10") -> None:
        self.cookies: dict[str, str] = {}
        self.address = address
        self.lock = threading.Lock()
        self.location = ""  # the last answer's Location header

    def request(self, port: int, method: str, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True) if data is not None else None
        with self.lock:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}/",
            "Cookie": cookie,
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.send(port, method, path, body, headers)

    def send(self, port: int, method: str, path: str, body, headers: dict):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        self.location = response.getheader("Location", "")
        with self.lock:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
        return response.status, text

    def upload(self, port: int, path: str, fields: dict, name: str, content: bytes):
        """A form with a file, as a browser posts it (multipart)."""
        boundary = "----aptem-multi-instance-boundary"
        parts = []
        for key, value in {**fields, "csrfmiddlewaretoken": self.csrf(port)}.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"'
            f"\r\nContent-Type: text/csv\r\n\r\n".encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        with self.lock:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}/",
            "Cookie": cookie,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        }
        return self.send(port, "POST", path, b"".join(parts), headers)

    def csrf(self, port: int) -> str:
        if "csrftoken" not in self.cookies:
            self.request(port, "GET", "/sign-in/")
        return self.cookies["csrftoken"]

    def post(self, port: int, path: str, data: dict):
        return self.request(port, "POST", path, {**data, "csrfmiddlewaretoken": self.csrf(port)})


class Deployment:
    def __init__(self, workdir: Path, database: str) -> None:
        self.workdir = workdir
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "aptem.settings.production",
            "SECRET_KEY": "multi-instance-secret-key-with-plenty-of-entropy-5f4d3s2a1q",
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"https://{HOST}",
            "EMAIL_PROVIDER": "",
            "ALLOW_FILE_EMAIL": "1",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "REDIS_URL": REDIS_URL,
            "TASKS_BACKEND": "database",
            "TRUSTED_PROXY_COUNT": "1",
            "TASK_STALL_SECONDS": "5",
            "APTEM_VAR_DIR": str(workdir),
            "LOG_FORMAT": "json",
        }
        self.processes: dict[str, subprocess.Popen] = {}

    def manage(self, *args: str) -> str:
        result = subprocess.run(  # our own fixed commands
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise Failed(f"manage.py {args[0]} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def start(self, name: str, command: list[str]) -> None:
        log = (self.workdir / f"{name}.log").open("a")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def start_web(self, name: str, port: int) -> None:
        self.start(
            name,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "aptem.wsgi",
                f"--bind=127.0.0.1:{port}",
                "--workers=2",
                "--threads=4",
                "--logger-class=aptem.access_log.JsonLogger",
                "--access-logfile=-",
            ],
        )

    def start_worker(self, name: str) -> None:
        self.start(
            name, [sys.executable, "manage.py", "worker", "--interval=0.2", f"--worker-id={name}"]
        )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def mail(self) -> collections.Counter:
        """How many emails each address has been sent (the file mailer's .txt files)."""
        sent: collections.Counter = collections.Counter()
        for path in (self.workdir / "mail").glob("*.txt"):
            sent[path.read_text().split("\n", 1)[0].removeprefix("To: ")] += 1
        return sent

    def sql(self, query: str) -> list[tuple]:
        with psycopg.connect(self.env["DATABASE_URL"]) as connection:
            return connection.execute(query).fetchall()


def wait_until(predicate, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise Failed(f"timed out waiting for {what}")
        time.sleep(0.3)


def ready(port: int) -> bool:
    try:
        return Client().request(port, "GET", "/readyz")[0] == 200
    except OSError:
        return False


def free_ports(count: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def restart_postgresql() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(  # a fixed command
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],  # noqa: S607
        check=True,
    )


SETUP = """
import json
from accounts.models import (
    Permission, Role, RoleAudience, RolePermission, Tenant, User, UserStatus, UserType,
)
from employers.models import EmployerGroup
tenant = Tenant.objects.create(name="Multi Instance College", slug="multi-instance")
role = Role.objects.create(tenant=tenant, name="Creators", audience=RoleAudience.ADMINISTRATOR)
RolePermission.objects.create(role=role, permission=Permission.CREATE_USERS)
RolePermission.objects.create(role=role, permission=Permission.BULK_UPLOAD)
for username, first, last in (("multi.admin", "Multi", "Admin"), ("pause.victim", "Pause", "V")):
    person = User.objects.create_user(
        username, f"{{username}}@example.com", "{password}", tenant=tenant,
        user_type=UserType.ADMINISTRATOR, status=UserStatus.FULL, title="Ms",
        first_name=first, surname=last,
    )
    person.roles.add(role)
group = EmployerGroup.objects.create(tenant=tenant, name="All employers")
print(json.dumps({{"group": group.pk}}))
"""


def employer(n: int, group: int) -> dict:
    return {
        "title": "Mr",
        "first_name": "Load",
        "surname": f"Employer{n:03d}",
        "email": f"load.employer{n:03d}@example.com",
        "mobile": f"07400 {n:06d}",
        "employer_groups": [group],
        "interfaces": ["console"],
        "invite": "yes",
    }


def run(workdir: Path, database: str) -> None:
    deployment = Deployment(workdir, database)
    redis.Redis.from_url(REDIS_URL).flushdb()
    print("Preparing the database")
    deployment.manage("migrate", "--noinput")
    deployment.manage("collectstatic", "--noinput")
    setup = json.loads(
        deployment.manage("shell", "-c", SETUP.format(password=PASSWORD)).splitlines()[-1]
    )
    web1, web2 = free_ports(2)
    instances = [web1, web2]
    try:
        deployment.start_web("web1", web1)
        deployment.start_web("web2", web2)
        deployment.start_worker("worker1")
        deployment.start_worker("worker2")
        for port in instances:
            wait_until(lambda port=port: ready(port), seconds=60, what=f"instance {port}")

        print("1. A session made on one instance works on the other")
        admin = Client()
        status, _ = admin.post(web1, "/sign-in/", {"username": "multi.admin", "password": PASSWORD})
        check(status == 302, "signed in through instance 1")
        status, html = admin.request(web2, "GET", "/users/")
        check(status == 200 and "Multi Admin" in html, "the Users list opens on instance 2")

        print("2. Creates and fresh links through both instances at once")
        statuses: collections.Counter = collections.Counter()
        ports = itertools.cycle(instances)
        jobs = [("create", next(ports), employer(n, setup["group"])) for n in range(EMPLOYERS)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            for status, _ in pool.map(
                lambda job: admin.post(job[1], "/employers/add/", job[2]), jobs
            ):
                statuses[status] += 1
        check(statuses == {302: EMPLOYERS}, f"{EMPLOYERS} employers created: {dict(statuses)}")

        def fresh_link(job):
            n, port = job
            visitor = Client(address=f"198.51.100.{n + 1}")
            return visitor.post(port, "/activate/fresh-link/", {"email": employer(n, 0)["email"]})

        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(fresh_link, zip(range(FRESH_LINKS), ports, strict=False)))
        check(all(status == 302 for status, _ in answers), f"{FRESH_LINKS} fresh links asked")
        expected = collections.Counter(
            {employer(n, 0)["email"]: 2 if n < FRESH_LINKS else 1 for n in range(EMPLOYERS)}
        )
        wait_until(
            lambda: sum(deployment.mail().values()) >= sum(expected.values()),
            seconds=60,
            what="the emails",
        )
        time.sleep(2)  # anything sent twice would show by now
        check(deployment.mail() == expected, "every email went exactly once")

        print("3. A sign-in pause reached on one instance holds on the other")
        guesser = Client(address="192.0.2.50")
        for _ in range(10):
            guesser.post(web1, "/sign-in/", {"username": "pause.victim", "password": "wrong"})
        status, _ = guesser.post(
            web2, "/sign-in/", {"username": "pause.victim@example.com", "password": PASSWORD}
        )
        check(status == 429, "the right password through instance 2 is paused too")

        print("4. A worker killed in the middle of a task loses nothing")
        before = deployment.mail()
        running_on_worker1 = (
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE status = 'RUNNING' AND worker_ids::text LIKE '%worker1%'"
        )
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            asking = pool.map(
                fresh_link,
                zip(range(FRESH_LINKS, EMPLOYERS), itertools.cycle(instances), strict=False),
            )
            # Catch worker 1 holding a task (each takes tens of milliseconds), then kill it.
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not deployment.sql(running_on_worker1)[0][0]:
                time.sleep(0.002)
            deployment.processes["worker1"].send_signal(signal.SIGKILL)
            deployment.processes["worker1"].wait()
            asked = list(asking)
        held = deployment.sql(running_on_worker1)[0][0]
        print(f"  (worker 1 was killed holding {held} task(s))")
        deployment.start_worker("worker3")
        check(all(status == 302 for status, _ in asked), f"{len(asked)} more fresh links asked")
        for n in range(FRESH_LINKS, EMPLOYERS):
            expected[employer(n, 0)["email"]] += 1
        wait_until(
            lambda: (
                deployment.mail() == expected
                and not deployment.sql(
                    "SELECT 1 FROM django_tasks_database_dbtaskresult "
                    "WHERE status IN ('READY', 'RUNNING') "
                    "AND task_path LIKE '%send_fresh_activation_links'"
                )
            ),
            seconds=60,
            what="the killed worker's tasks to be finished elsewhere",
        )
        check(deployment.mail() == expected, "every fresh link went once, none lost")
        check(sum(deployment.mail().values()) - sum(before.values()) == len(asked), "no repeats")

        print("5. PostgreSQL restarted under load")
        seen: collections.Counter = collections.Counter()
        stop = threading.Event()

        def load() -> None:
            reader = Client(address="192.0.2.77")
            reader.cookies = dict(admin.cookies)
            for port in itertools.cycle(instances):
                if stop.is_set():
                    return
                try:
                    seen[reader.request(port, "GET", "/users/")[0]] += 1
                except OSError:
                    seen["no answer"] += 1
                time.sleep(0.05)

        loaders = [threading.Thread(target=load) for _ in range(3)]
        for thread in loaders:
            thread.start()
        time.sleep(1)
        restart_postgresql()
        for port in instances:
            wait_until(lambda port=port: ready(port), seconds=60, what=f"{port} to recover")
        time.sleep(1)
        stop.set()
        for thread in loaders:
            thread.join()
        print(f"  (answers during the restart: {dict(seen)})")
        check(not any(isinstance(k, int) and k >= 500 and k != 503 for k in seen), "only 503s")
        status, html = admin.request(web2, "GET", "/users/")
        check(status == 200 and "Multi Admin" in html, "instances serve again, unrestarted")
        last = employer(EMPLOYERS - 1, 0)["email"]
        status, _ = fresh_link((EMPLOYERS - 1, web1))
        expected[last] += 1
        wait_until(lambda: deployment.mail() == expected, seconds=60, what="a post-restart email")
        workers = ("worker2", "worker3")
        alive = [name for name in workers if deployment.processes[name].poll() is None]
        check(alive == list(workers), "the workers survived the restart and still send")

        print("6. An upload imported by a worker, its progress seen through the other instance")
        lines = ["Title,First name,Surname,Email,Mobile number,Interfaces,Invite"]
        lines += [
            f"Ms,Upload,Person{n:05d},upload.person{n:05d}@example.com,07500 {n:06d},Classic,"
            + ("Yes" if n < UPLOAD_INVITED else "No")
            for n in range(UPLOAD_ROWS)
        ]
        fields = {
            "kind": "employers",
            "default_group": setup["group"],
            "send_invitations": "on",
            "existing": "skip",
        }
        status, _ = admin.upload(
            web1, "/users/upload/", fields, "people.csv", "\n".join(lines).encode()
        )
        check(status == 302, f"a file of {UPLOAD_ROWS:,} employers uploaded through instance 1")
        detail = urllib.parse.urlsplit(admin.location).path
        ready_to_import = f"Import {UPLOAD_ROWS:,} rows"
        status, html = admin.request(web1, "GET", detail)
        check(
            status == 200 and ("Checking the file" in html or ready_to_import in html),
            "the upload answered at once; a worker checks the file",
        )
        wait_until(
            lambda: ready_to_import in admin.request(web2, "GET", detail)[1],
            seconds=60,
            what="the worker's check of the upload",
        )
        print("  ok: its check found no problem (seen through instance 2)")
        status, _ = admin.post(web1, f"{detail}import/", {})
        check(status == 302, "Import confirmed through instance 1")
        seen_progress: list[str] = []
        answers_while_importing: collections.Counter = collections.Counter()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status, html = admin.request(web2, "GET", f"{detail}?progress=1")
            if status == 204:  # the import ended: the page reloads itself
                break
            answers_while_importing[status] += 1
            counts = " ".join(html.split("Rows checked:", 1)[-1].split("</p>")[0].split())
            if not seen_progress or seen_progress[-1] != counts:
                seen_progress.append(counts)
            time.sleep(0.02)
        print(f"  (progress seen: {seen_progress})")
        check(
            set(answers_while_importing) == {200},
            f"instance 2 answered the progress while importing: {dict(answers_while_importing)}",
        )
        check(len(seen_progress) >= 2, "instance 2 showed the counts change as the worker went")
        status, html = admin.request(web2, "GET", detail)
        check(status == 200 and "Imported" in html, "the upload shows Imported on instance 2")
        invited = {f"upload.person{n:05d}@example.com": 1 for n in range(UPLOAD_INVITED)}
        expected.update(invited)
        wait_until(lambda: deployment.mail() == expected, seconds=90, what="the upload's emails")
        time.sleep(2)  # anything sent twice would show by now
        check(deployment.mail() == expected, f"each of its {UPLOAD_INVITED} invitations went once")
        people = deployment.sql(
            "SELECT count(*) FROM accounts_user WHERE email LIKE 'upload.person%'"
        )[0][0]
        check(people == UPLOAD_ROWS, f"all {UPLOAD_ROWS:,} people are there")
    finally:
        deployment.stop()
        for name in sorted(deployment.processes):
            lines = (workdir / f"{name}.log").read_text().splitlines()
            noted = {
                "tracebacks": sum("Traceback" in line for line in lines),
                "database waits": sum("Database unavailable" in line for line in lines),
                "tasks requeued": sum("stalled task" in line for line in lines),
            }
            if any(noted.values()):
                print(f"  ({name}: " + ", ".join(f"{n} {what}" for what, n in noted.items()) + ")")


def main() -> int:
    try:
        psycopg.connect(PG).close()
        redis.Redis.from_url(REDIS_URL).ping()
    except Exception as error:  # any reason they cannot be reached fails the run
        print(f"FAIL: PostgreSQL and Redis are needed: {error}", file=sys.stderr)
        return 1
    database = f"aptem_multi_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix="aptem-multi-"))
    with psycopg.connect(PG, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    started = time.monotonic()
    try:
        run(workdir, database)
    except Failed as failure:
        print(f"FAIL: {failure}\n(logs in {workdir})", file=sys.stderr)
        return 1
    finally:
        wait_until(lambda: _answers(), seconds=60, what="PostgreSQL")
        with psycopg.connect(PG, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        redis.Redis.from_url(REDIS_URL).flushdb()
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"Multi-instance checks passed in {time.monotonic() - started:.0f} s")
    return 0


def _answers() -> bool:
    try:
        psycopg.connect(PG).close()
        return True
    except psycopg.OperationalError:
        return False


if __name__ == "__main__":
    sys.exit(main())
