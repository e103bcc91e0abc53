import contextlib
import functools
import hashlib
import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import django
import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.contrib.staticfiles import handlers as staticfiles_handlers
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import cache
from django.core.management.commands.migrate import Command as Migrate
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.test import Client, override_settings
from django.utils import translation
from django.utils.http import http_date
from django_otp import DEVICE_ID_SESSION_KEY

from dialogue_portal.core import pagecache
from publications import taxonomy
from publications.templatetags import memo
from tests.factories import give_authenticator

POSTGRES_ONLY = "postgres"
CLUSTER = "cluster"

# Every test runs under a clock it sets (tests/clock.py), never the machine's.
pytest_plugins = ["tests.clock", "tests.tasks"]

# The live server listens with Django's queue of 10 waiting connections; the concurrency tests
# send 50 readers at once, and a full queue resets connections before the site sees them
# (production servers listen with hundreds: gunicorn's backlog is 2048).
ThreadedWSGIServer.request_queue_size = 128


def pytest_addoption(parser):
    parser.addoption(
        "--cluster",
        action="store_true",
        help="run the tests marked cluster, against the cluster of `make cluster`",
    )


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL: on SQLite they are deselected (not skipped),
    and the run says so; the PostgreSQL pass of `make test` runs them. Tests marked
    ``cluster`` need the running cluster: deselected unless ``--cluster`` is given
    (`make test-cluster`). Then the longest files go first."""
    from django.db import connection

    def deselect(test, reason):
        kept, dropped = [], []
        for item in items:
            (dropped if test(item) else kept).append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
            print(f"\n{len(dropped)} {reason}")

    if not config.getoption("--cluster"):
        deselect(
            lambda item: item.get_closest_marker(CLUSTER),
            "cluster tests deselected; `make test-cluster` runs them.",
        )
    if connection.vendor != "postgresql":
        deselect(
            lambda item: item.get_closest_marker(POSTGRES_ONLY),
            "PostgreSQL-only tests deselected on SQLite; the PostgreSQL pass runs them.",
        )
    longest_files_first(items)


def longest_files_first(items):
    """pytest-xdist hands out whole files (``--dist loadfile``) in the order collected, to
    whichever worker is free: a file of browser tests or of tests marked ``slow`` that came
    last would keep one worker busy for a minute while the others wait. Those files go
    first; the order within a file is kept."""
    weight = {}
    for item in items:
        heavy = 2 if item.get_closest_marker("slow") else 1 if item.get_closest_marker("e2e") else 0
        weight[item.path] = max(weight.get(item.path, 0), heavy)
    items.sort(key=lambda item: -weight[item.path])


def pytest_report_header(config):
    """Said by the controller too: under pytest-xdist the workers' collection prints nothing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return "tests marked postgres are deselected on SQLite; the PostgreSQL pass runs them"
    return None


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_blocker):
    """Each pytest process's test database is a copy of one migrated database, named by a
    digest of every migration file (``migrations_digest``): a process that finds the copy
    takes it instead of running the migrations (five seconds of CPU on SQLite, ten to
    fifteen on PostgreSQL), and one that does not migrates and leaves the copy for the next.
    A changed or added migration changes the digest, so the database is migrated again.
    On SQLite the copy is a file in pytest's cache (`.pytest_cache/d/migrated-sqlite/`),
    copied into the database in memory; without pytest's cache (``-p no:cacheprovider``),
    each process migrates. On PostgreSQL it is a template database on the server, which
    ``CREATE DATABASE ... TEMPLATE`` copies file by file."""
    if connection.vendor == "postgresql":
        handle = clone_or_migrate_postgresql(Migrate.handle)
    elif hasattr(request.config, "cache"):
        folder = request.config.cache.mkdir("migrated-sqlite")
        handle = copy_or_migrate_sqlite(Migrate.handle, folder / f"{migrations_digest()}.sqlite3")
    else:
        handle = Migrate.handle
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Migrate, "handle", handle)
        request.getfixturevalue("django_db_setup")
    yield
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            close_other_connections()


def close_other_connections():
    """Ends every other connection to this process's test database, before pytest-django
    drops it: a thread of a live server or of a test that never closed its connection
    would otherwise make DROP DATABASE wait five seconds, then warn that the database "is
    being accessed by other users". Nothing runs by then to need them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def copy_or_migrate_sqlite(migrate, snapshot):
    """``migrate``, or the copy of what it made from ``snapshot``, into the test database."""

    def handle(command, *args, **options):
        if snapshot.exists():
            connection.ensure_connection()
            with closing(sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)) as copy:
                copy.backup(connection.connection)
            return
        migrate(command, *args, **options)
        for stale in snapshot.parent.glob("*.sqlite3"):
            stale.unlink(missing_ok=True)  # or another worker's migration did
        # Written aside and renamed into place: the other workers may be reading it.
        partial = snapshot.with_suffix(f".{os.getpid()}")
        with closing(sqlite3.connect(partial)) as copy:
            connection.connection.backup(copy)
        partial.replace(snapshot)

    return handle


TEMPLATE_PREFIX = "test_migrated_"


def clone_or_migrate_postgresql(migrate):
    """``migrate``, or a copy of the template database it left, as the test database. The
    test database (empty, just created by Django) is dropped and made again from the
    template; after a migration the test database becomes the template for the next run.
    Templates of other digests are dropped when a new one is made (one in use by another
    run stays)."""

    def handle(command, *args, **options):
        if options.get("database", "default") != connection.alias:
            return migrate(command, *args, **options)
        name = connection.settings_dict["NAME"]
        template = f"{TEMPLATE_PREFIX}{migrations_digest()}_{connection.pg_version}"
        quote = connection.ops.quote_name
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if cursor.fetchone():
                cursor.execute(f"DROP DATABASE {quote(name)}")
                cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
                return
        migrate(command, *args, **options)
        connection.close()
        with connection._nodb_cursor() as cursor:
            try:
                cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(name)}")
            except DatabaseError:
                return  # another worker made it first
            cursor.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                [f"{TEMPLATE_PREFIX}%", template],
            )
            for (stale,) in cursor.fetchall():
                with contextlib.suppress(DatabaseError):
                    cursor.execute(f"DROP DATABASE {quote(stale)}")

    return handle


def migrations_digest():
    """A digest of what the migrated database is made from: every migration file on disk,
    the settings, Django's and SQLite's versions (PostgreSQL's is in the template's name)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256(f"{django.__version__} {sqlite3.sqlite_version}".encode())
    modules = {type(migration).__module__ for migration in loader.disk_migrations.values()}
    modules.add(os.environ["DJANGO_SETTINGS_MODULE"])
    for module in sorted(modules):
        digest.update(Path(sys.modules[module].__file__).read_bytes())
    return digest.hexdigest()[:16]


def forget_process_copies():
    """The copies a process keeps beside the cache (the term lists, the site's chrome) are
    keyed by the content version, which starts again at 0 with every emptied cache: a test
    must not inherit the last one's."""
    taxonomy._held.clear()
    memo._held.clear()
    # A request whose streamed answer a test never read (a file) never finished: the thread
    # would keep that request's content version for everything after it.
    pagecache._end_request()


def delete_rows_instead_of_truncating(sql_flush):
    """What a transactional test (a browser test, a race between threads) ends with on
    PostgreSQL: Django empties every table with one TRUNCATE, which gives each of the
    sixty-odd tables and their indexes new files: about 2 s a test, most of a short browser
    test's cost. DELETE empties the same few rows in 50 ms; every foreign key Django makes
    is checked at commit (DEFERRABLE INITIALLY DEFERRED), so the order does not matter.
    Sequences are not reset either way, unless a test asks for it; a test that does, or a
    flush that must reach tables outside the list (``allow_cascade``), gets TRUNCATE."""

    @functools.wraps(sql_flush)
    def flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return sql_flush(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED"] + [
            # The names are the database's own tables, quoted.
            f"DELETE FROM {self.quote_name(table)}"  # noqa: S608
            for table in tables
        ]

    return flush


@pytest.fixture(autouse=True, scope="session")
def _quick_flush():
    if connection.vendor != "postgresql":
        yield
        return
    operations = type(connection.ops)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            operations, "sql_flush", delete_rows_instead_of_truncating(operations.sql_flush)
        )
        yield


class StaticFilesCachedAsInProduction(StaticFilesHandler):
    """The live server's static files with a lifetime, as whitenoise gives them in
    production, and dated by the real clock, as the browser's is. Under the test clock the
    server dated each file weeks before its Last-Modified, so Chromium held nothing and
    fetched every stylesheet, script and icon again on every page: four in five of the
    browser tests' requests."""

    def serve(self, request):
        response = super().serve(request)
        hatch = time_machine.escape_hatch
        response["Date"] = http_date(hatch.time.time() if hatch.is_travelling() else None)
        response["Cache-Control"] = "max-age=3600"
        return response


@pytest.fixture(autouse=True, scope="session")
def _live_server_caches_static_files():
    """pytest-django's live server takes its static handler from this module's attribute."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(staticfiles_handlers, "StaticFilesHandler", StaticFilesCachedAsInProduction)
        yield


@pytest.fixture(autouse=True, scope="session")
def _static_files_from_the_finders(tmp_path_factory):
    """No collected static files, whether or not ``collectstatic`` has filled STATIC_ROOT
    on this machine (``make run`` and the benchmarks do): whitenoise reads every file there
    each time a middleware chain is built, which the test client does for every client,
    half of the suite's CPU with the thousand files collectstatic leaves. The tests serve
    static files from the finders, as on a fresh clone."""
    with override_settings(STATIC_ROOT=tmp_path_factory.getbasetemp() / "no-collected-static"):
        yield


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Every test: an empty cache, its own media folder, a quick password hasher, and English
    until it asks otherwise (a /ru/ request leaves the thread in Russian, which would change
    later reverse() calls)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "archive-uploads": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    # Tasks run inside the call that enqueues them, unless a test asks for the worker
    # (tests/tasks.py: the database backend and its worker, run in-process).
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    # Counting and ranking count as cheap whatever the machine's load: a test that wants
    # them slow (served stale, done by the refresher) sets these to 0.
    settings.COUNTS_INLINE_MS = 60_000
    settings.RANK_INLINE_MS = 60_000
    # Production hashes a password with 1.5 million rounds of PBKDF2 (a third of a second);
    # tests make and check hundreds of them, and no test is about the rounds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    forget_process_copies()
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
    cache.clear()
    forget_process_copies()


def force_login_with_second_factor(force_login):
    """``Client.force_login`` stands for a whole sign-in: for staff, that is the password and
    the second factor. Staff get an authenticator (tests.factories.give_authenticator) and
    the session counts as verified by it, as django-otp's ``login`` leaves it. The tests of
    the sign-in itself go through the login and second-factor pages instead."""

    def login(client, user, backend=None):
        force_login(client, user, backend)
        if user.is_staff:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = give_authenticator(user).persistent_id
            session.save()

    return login


@pytest.fixture(autouse=True)
def _staff_sign_in_whole(monkeypatch):
    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor(Client.force_login))


@pytest.fixture(autouse=True)
def _migrations_rows(request):
    """Every test with the database starts with the rows data migrations make (the editorial
    groups): a transactional test (a browser test) empties the database after it, and
    pytest-xdist may run any test after one on the same worker."""
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        request.getfixturevalue("editorial_groups")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-root-123!")


@pytest.fixture(scope="session")
def migrated_groups(django_db_setup, django_db_blocker):
    """The groups and their permissions as migrate left them, read once per worker from the
    freshly migrated test database."""
    with django_db_blocker.unblock():
        return {
            group.name: list(group.permissions.values_list("content_type__app_label", "codename"))
            for group in Group.objects.order_by("pk")
        }


@pytest.fixture
def editorial_groups(db, migrated_groups):
    """The "Editors", "Reviewers" and "Newsletter managers" groups as migrate made them. A
    browser test runs in a transaction-less database that is emptied after each test, data
    migrations' rows too, so they are made again where they are missing: copied from what
    migrate left (running the data migrations again took half a second a browser test)."""
    if Group.objects.filter(name="Editors").exists():
        return
    permissions = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    # In bulk, so without signals, as the migrations' historical models make them: the
    # audit trail records every change of a group's permissions.
    grant = Group.permissions.through
    with transaction.atomic():
        groups = Group.objects.bulk_create([Group(name=name) for name in migrated_groups])
        grant.objects.bulk_create(
            grant(group=group, permission_id=permissions[key])
            for group in groups
            for key in migrated_groups[group.name]
        )


@pytest.fixture
def editor(django_user_model, editorial_groups):
    user = django_user_model.objects.create_user(
        "editor", "editor@example.org", "pw-editor-123!", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def reviewer(django_user_model, editorial_groups):
    """An editor who may also publish: approves, sends back, publishes and unpublishes."""
    user = django_user_model.objects.create_user(
        "reviewer", "reviewer@example.org", "pw-reviewer-123!", is_staff=True
    )
    user.groups.add(*Group.objects.filter(name__in=["Editors", "Reviewers"]))
    return user


@pytest.fixture
def reviewer_client(reviewer):
    from django.test import Client

    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def newsletter_manager(django_user_model, editorial_groups):
    """An editor in "Newsletter managers": subscribers' data, exports, sending to all."""
    user = django_user_model.objects.create_user(
        "manager", "manager@example.org", "pw-manager-123!", is_staff=True
    )
    user.groups.add(*Group.objects.filter(name__in=["Editors", "Newsletter managers"]))
    return user


@pytest.fixture
def manager_client(newsletter_manager):
    from django.test import Client

    client = Client()
    client.force_login(newsletter_manager)
    return client


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("reader", "reader@example.org", "pw-reader-123!")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
