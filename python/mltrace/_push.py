"""Pushing this process's events to the team store, from Python alone (docs/TEAM.md "From Python").

For machines with only Python (training servers, schedulers): when a team store is configured
(``MLTRACE_TEAM_URI``, else the URI this store's pipeline recorded with ``set_db_uri``) and a
PostgreSQL driver is importable (``psycopg`` 3, else ``psycopg2``), the lines this process appends
to its writer file are pushed by a background thread, the same way ``mltrace sync`` pushes them:
an event is (writer, line number), inserted ``ON CONFLICT DO NOTHING``, so pushing a line twice,
here and from a later ``mltrace sync``, stores it once. At interpreter exit the thread is given at
most ``MLTRACE_TEAM_EXIT_WAIT`` seconds (default 2) for what is in flight; what does not make it
goes with the next sync. ``MLTRACE_TEAM_PUSH=0`` turns it off.

Nothing here raises into the pipeline or waits on the network in it: a failure is one warning
that names the server (never a password), and the thread tries again after a pause.
"""

import atexit
import os
import threading
import time

from mltrace import _store

# The team store's tables, as src/core/team/schema.ts creates them (a test checks they agree).
SCHEMA_VERSION = 1
CHANGE_LOCK = 0x6D6C7472  # "mltr": serialises change numbers with commits
CHANNEL = "mltrace_events"
SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS mltrace_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE SEQUENCE IF NOT EXISTS mltrace_change;
CREATE TABLE IF NOT EXISTS mltrace_writers (
  writer text PRIMARY KEY,
  max_seq bigint NOT NULL,
  change bigint NOT NULL,
  pushed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS mltrace_writers_by_change ON mltrace_writers (change);
CREATE TABLE IF NOT EXISTS mltrace_events (
  writer text NOT NULL,
  seq bigint NOT NULL,
  line text NOT NULL,
  PRIMARY KEY (writer, seq)
);
INSERT INTO mltrace_meta (key, value) VALUES ('schema_version', '1')
  ON CONFLICT (key) DO NOTHING;
"""

PAGE_LINES = 5000
PAGE_BYTES = 8 * 1024 * 1024
RETRY_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 5


def _driver():
    """(name, module) of an importable PostgreSQL driver, or (None, None)."""
    try:
        import psycopg  # noqa: F401  (psycopg 3)

        return "psycopg", psycopg
    except Exception:
        pass
    try:
        import psycopg2

        return "psycopg2", psycopg2
    except Exception:
        return None, None


def _team_uri():
    uri = os.environ.get("MLTRACE_TEAM_URI")
    if uri:
        return uri
    try:
        from mltrace import _team

        return _team.recorded()
    except Exception:
        return None


def server_name(uri):
    """``user@host:port/database``, never a password: for messages."""
    try:
        from mltrace import _team

        clean, _ = _team.without_password(uri)
        from urllib.parse import urlsplit

        parts = urlsplit(clean)
        user = ("%s@" % parts.username) if parts.username else ""
        host = parts.hostname or "localhost"
        port = parts.port or 5432
        return "%s%s:%d%s" % (user, host, port, parts.path or "/")
    except Exception:
        return "the team store"


def _scrub(message, uri):
    """A driver's error message without any password the URI holds."""
    try:
        from urllib.parse import unquote, urlsplit

        password = urlsplit(uri).password
        if password:
            for secret in {password, unquote(password)}:
                message = message.replace(secret, "***")
    except Exception:
        pass
    return " ".join(message.split())


def _exit_wait():
    try:
        return max(0.0, float(os.environ.get("MLTRACE_TEAM_EXIT_WAIT", "2")))
    except ValueError:
        return 2.0


class _Pusher(object):
    """One background thread per process that pushes the writer files it is told about."""

    def __init__(self, uri, driver_name, driver):
        self.uri = uri
        self.driver_name = driver_name
        self.driver = driver
        self.condition = threading.Condition()
        self.files = []  # writer files to push, in the order they were named
        self.busy = False
        self.positions = {}  # file -> (byte offset, line number) after what the server has
        self.connection = None
        self.retry_at = 0.0
        self.thread = None

    def request(self, path):
        with self.condition:
            if path not in self.files:
                self.files.append(path)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="mltrace-team-push", daemon=True)
                self.thread.start()
            self.condition.notify()

    def wait(self, seconds):
        """Waits at most ``seconds`` until nothing is waiting or in flight."""
        deadline = time.monotonic() + seconds
        with self.condition:
            while (self.files or self.busy) and time.time() >= self.retry_at:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.condition.wait(left)
            return not (self.files or self.busy)

    def _run(self):
        while True:
            with self.condition:
                while not self.files:
                    self.condition.wait()
                pause = self.retry_at - time.time()
                if pause > 0:
                    self.condition.wait(pause)
                    continue
                files, self.files = self.files, []
                self.busy = True
            failed = False
            try:
                for path in files:
                    self._push_file(path)
            except Exception as error:
                failed = True
                self._forget_connection()
                _store.warn_once(
                    "team-push",
                    "mltrace could not push to the team store %s (%s); the events stay in the local "
                    "log and go with the next push or `mltrace sync`."
                    % (server_name(self.uri), _scrub(str(error), self.uri)),
                )
            with self.condition:
                self.busy = False
                if failed:
                    self.retry_at = time.time() + RETRY_SECONDS
                    for path in files:
                        if path not in self.files:
                            self.files.append(path)
                self.condition.notify_all()

    # ---- one file ----------------------------------------------------------------------------

    def _connect(self):
        if self.connection is None:
            # Both drivers hand the URI to libpq: PGPASSWORD, ~/.pgpass and sslmode apply.
            self.connection = self.driver.connect(self.uri, connect_timeout=CONNECT_TIMEOUT_SECONDS)
            self._ensure_schema()
        return self.connection

    def _forget_connection(self):
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:
                pass

    def _ensure_schema(self):
        connection = self.connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('mltrace_meta')::text")
            if cursor.fetchone()[0] is None:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (CHANGE_LOCK,))
                cursor.execute(SCHEMA_SQL)
            cursor.execute("SELECT value FROM mltrace_meta WHERE key = 'schema_version'")
            row = cursor.fetchone()
        connection.commit()
        if row and int(row[0]) > SCHEMA_VERSION:
            raise RuntimeError(
                "the team store's tables are of a newer mltrace (schema %s): update mltrace" % row[0]
            )

    def _push_file(self, path):
        writer = os.path.basename(path)[: -len(".jsonl")]
        connection = self._connect()
        with connection.cursor() as cursor:
            cursor.execute("SELECT max_seq FROM mltrace_writers WHERE writer = %s", (writer,))
            row = cursor.fetchone()
        connection.commit()
        server_seq = int(row[0]) if row else 0
        offset, line = self._position(path, server_seq)
        with open(path, "rb") as handle:
            handle.seek(offset)
            seqs, lines, size = [], [], 0
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break  # a line still being written
                offset += len(raw)
                line += 1
                text = raw.decode("utf-8", "replace").strip()
                if text:
                    seqs.append(line)
                    lines.append(text)
                    size += len(raw)
                if len(seqs) >= PAGE_LINES or size >= PAGE_BYTES:
                    self._commit(writer, seqs, lines)
                    self.positions[path] = (offset, line)
                    seqs, lines, size = [], [], 0
            if seqs:
                self._commit(writer, seqs, lines)
            self.positions[path] = (offset, line)

    def _position(self, path, server_seq):
        """Where line ``server_seq`` of the file ends: remembered, else counted."""
        known = self.positions.get(path)
        if known and known[1] == server_seq:
            return known
        offset = line = 0
        if server_seq == 0:
            return 0, 0
        with open(path, "rb") as handle:
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break
                offset += len(raw)
                line += 1
                if line == server_seq:
                    break
        return offset, line

    def _commit(self, writer, seqs, lines):
        connection = self.connection
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO mltrace_events (writer, seq, line) "
                    "SELECT %s, s, l FROM unnest(%s::bigint[], %s::text[]) AS t(s, l) "
                    "ON CONFLICT DO NOTHING",
                    (writer, seqs, lines),
                )
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (CHANGE_LOCK,))
                cursor.execute(
                    "INSERT INTO mltrace_writers (writer, max_seq, change) "
                    "VALUES (%s, %s, nextval('mltrace_change')) "
                    "ON CONFLICT (writer) DO UPDATE SET "
                    "max_seq = GREATEST(mltrace_writers.max_seq, EXCLUDED.max_seq), "
                    "change = EXCLUDED.change, pushed_at = now()",
                    (writer, seqs[-1]),
                )
                cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, writer))
            connection.commit()
        except Exception:
            try:
                connection.rollback()
            except Exception:
                pass
            raise


_pusher = None
_pusher_lock = threading.Lock()
_configured = None  # (uri, driver) decided once per process


def _get_pusher():
    global _pusher, _configured
    if _configured is None:
        _configured = (None,)
        if os.environ.get("MLTRACE_TEAM_PUSH", "1").strip().lower() in ("0", "false", "no", "off"):
            return None
        uri = _team_uri()
        if not uri:
            return None
        name, module = _driver()
        if module is None:
            return None  # the events wait for the next `mltrace sync` (docs/TEAM.md)
        _configured = (uri, name, module)
    if len(_configured) == 1:
        return None
    with _pusher_lock:
        if _pusher is None:
            _pusher = _Pusher(*_configured)
        return _pusher


def reconfigure():
    """The configuration changed (``set_db_uri``): decide again at the next append."""
    global _configured
    if _pusher is None:
        _configured = None


def _after_fork_in_child():
    global _pusher, _configured, _pusher_lock
    _pusher_lock = threading.Lock()
    _pusher = None  # its thread did not survive the fork; the child pushes its own file
    _configured = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def after_append(path):
    """Called after this process appended a line to ``path``: push it soon, off the pipeline."""
    try:
        pusher = _get_pusher()
        if pusher is not None:
            pusher.request(path)
    except Exception:
        pass


def _wait_at_exit():
    try:
        if _pusher is not None:
            _pusher.wait(_exit_wait())
    except Exception:
        pass


atexit.register(_wait_at_exit)
