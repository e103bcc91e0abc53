#!/usr/bin/env python
"""`make bench-mail`: send weekly digests to N subscribers through a local SMTP server and
print mails per second and the sender's peak memory.

For each size (default 1,000 then 10,000): a fresh SQLite database in a temporary folder,
migrated; N confirmed weekly subscribers (a third with topics, a third reading both
languages) and 30 publications from last week; then `manage.py send_newsletter` runs in its
own process with production settings against aiosmtpd on 127.0.0.1 (another process). The
sender's peak resident memory comes from wait4(); it should not grow with N. Prints:

    BENCH mail subscribers=N sent=S received=R seconds=T mails_per_s=M process_seconds=W
               cpu_seconds=C peak_rss_mb=P

``seconds`` is the sending itself (as the command reports it), ``process_seconds`` the
whole command with Django's start-up, ``cpu_seconds`` the CPU time the command used (on a
shared machine the figure that travels best).

and fails when the server did not receive exactly one digest per subscriber, or when a
second run sends anything.
"""

import argparse
import datetime as dt
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PORTS = range(2525, 2536)
SECRET = "bench-mail-" + "k" * 60

SERVER = r"""
import sys
from aiosmtpd.controller import Controller

class Count:
    received = 0
    async def handle_DATA(self, server, session, envelope):
        self.received += len(envelope.rcpt_tos)
        return "250 OK"

handler = Count()
controller = Controller(handler, hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
for line in sys.stdin:
    print(handler.received, flush=True)
controller.stop()
"""


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 2525-2535 for the SMTP server")


def environment(database, port):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(port),
        SMTP_STARTTLS="0",
        SITE_URL="https://portal.example.org",
        LOG_LEVEL="ERROR",
    )
    return env


def fill(count):
    """Run inside Django (``--fill N``): N subscribers and last week's publications."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dialogue_portal.settings")
    django.setup()
    from django.utils import timezone

    from dialogue_portal.newsletter.models import CONSENT_VERSION, Subscriber, hash_address
    from dialogue_portal.newsletter.sending import week_before
    from publications.models import Publication, Topic

    start, _end, _label = week_before(timezone.now())
    topics = [
        Topic.objects.get_or_create(slug=f"topic-{n}", defaults={"name": f"Topic {n}"})[0]
        for n in range(5)
    ]
    for n in range(30):
        publication = Publication.objects.create(
            title=f"Bench publication {n}",
            slug=f"bench-publication-{n}",
            summary="A summary of the kind editors write, two or three sentences long. " * 2,
            language="ru" if n % 7 == 0 else "en",
            status=Publication.Status.PUBLISHED,
            published_at=start + dt.timedelta(hours=5 * n),
        )
        publication.topics.set([topics[n % 5]])
    confirmed = timezone.now() - dt.timedelta(days=30)
    Topics = Subscriber.topics.through
    made = 0
    while made < count:
        size = min(2000, count - made)
        rows = Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email=f"reader{made + i}@example.org",
                    address_hash=hash_address(f"reader{made + i}@example.org"),
                    state=Subscriber.State.CONFIRMED,
                    language="both" if (made + i) % 3 == 1 else "en",
                    frequency=Subscriber.Frequency.WEEKLY,
                    consent_at=confirmed,
                    consent_version=CONSENT_VERSION,
                    consent_language="en",
                    confirmed_at=confirmed,
                )
                for i in range(size)
            ]
        )
        if rows[0].pk is None:  # SQLite returns ids; be safe elsewhere
            rows = list(Subscriber.objects.order_by("-pk")[:size])
        Topics.objects.bulk_create(
            [
                Topics(subscriber_id=row.pk, topic_id=topics[row.pk % 5].pk)
                for row in rows
                if row.pk % 3 == 0
            ]
        )
        made += size


def run_sender(env):
    started = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, "manage.py", "send_newsletter"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    output = process.stdout.read()
    errors = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"send_newsletter failed:\n{output}\n{errors}")
    sent = int(re.search(r"(\d+) sent", output).group(1))
    sending = float(re.search(r"in ([\d.]+)s", output).group(1))
    cpu = usage.ru_utime + usage.ru_stime
    return sent, sending, seconds, cpu, usage.ru_maxrss / 1024  # KiB on Linux


def measure(count, port, folder):
    database = Path(folder) / f"bench-mail-{count}.sqlite3"
    env = environment(database, port)
    log(f"== {count} subscribers: migrate and fill {database}")
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run([PYTHON, __file__, "--fill", str(count)], cwd=ROOT, env=env, check=True)

    server = subprocess.Popen(
        [PYTHON, "-c", SERVER, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout.readline().strip() == "ready"
        log(f"== sending {count} digests to aiosmtpd on 127.0.0.1:{port}")
        sent, seconds, total, cpu, peak = run_sender(env)
        server.stdin.write("count\n")
        server.stdin.flush()
        received = int(server.stdout.readline())
        again, *_rest = run_sender(env)
    finally:
        server.stdin.close()
        server.wait(timeout=10)
    print(
        f"BENCH mail subscribers={count} sent={sent} received={received} "
        f"seconds={seconds:.1f} mails_per_s={sent / seconds:.0f} "
        f"process_seconds={total:.1f} cpu_seconds={cpu:.1f} peak_rss_mb={peak:.0f}",
        flush=True,
    )
    problems = []
    if sent != count or received != count:
        problems.append(f"expected {count} digests, sent {sent}, received {received}")
    if again:
        problems.append(f"a second run sent {again} more")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated subscriber counts")
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill is not None:
        fill(args.fill)
        return 0
    port = free_port()
    problems = []
    with tempfile.TemporaryDirectory(prefix="bench-mail-") as folder:
        for size in (int(part) for part in args.sizes.split(",")):
            problems += measure(size, port, folder)
    for problem in problems:
        log(f"FAIL: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
