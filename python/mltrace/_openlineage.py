"""Sending events to an OpenLineage backend as they are logged (README "Sending events to an
OpenLineage backend"; the Node side is src/core/openlineage/live.ts and transport.ts).

Configured as OpenLineage's own clients are: ``OPENLINEAGE_DISABLED``, then ``OPENLINEAGE_URL``
(+ ``OPENLINEAGE_ENDPOINT``, default ``api/v1/lineage``, + ``OPENLINEAGE_API_KEY`` as a bearer
token), then the first ``openlineage.yml`` of ``$OPENLINEAGE_CONFIG``, ``./openlineage.yml``,
``~/.openlineage/openlineage.yml`` (read with PyYAML when it is importable; without it the file is
skipped, said once). The local log is always written first; a background thread posts each event
in order, with a timeout and two retries; when the backend still refuses, one warning, and the
rest is left to ``mltrace sync --openlineage``, which skips what was delivered here (recorded per
writer in ``.mltrace/openlineage/live-<backend>/<writer>``). At interpreter exit the thread gets at
most ``MLTRACE_OPENLINEAGE_EXIT_WAIT`` seconds (default 2). Nothing here raises into the pipeline.
"""

import atexit
import gzip
import hashlib
import os
import threading
import time

from mltrace import _store

DEFAULT_ENDPOINT = "api/v1/lineage"
RETRY_DELAYS = (0.25, 1.0)


def _truthy(value):
    return value is not None and value.strip().lower() in ("1", "true", "yes")


def _join(base, endpoint):
    return base.rstrip("/") + "/" + endpoint.lstrip("/")


def describe_url(url):
    """The address without user info or query, as src/core/openlineage/transport.ts describes it
    (an api key may hide in either); also what names the backend in file names."""
    try:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
        if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
            host = "%s:%d" % (host, port)
        return "%s://%s%s" % (parts.scheme, host, parts.path or "/")
    except Exception:
        return "the OpenLineage backend"


def backend_key(url):
    return hashlib.sha256(describe_url(url).encode("utf-8")).hexdigest()[:16]


def transport():
    """{url, api_key, timeout, gzip} of the configured backend, or None."""
    env = os.environ
    if _truthy(env.get("OPENLINEAGE_DISABLED")):
        return None
    if env.get("OPENLINEAGE_URL"):
        return {
            "url": _join(env["OPENLINEAGE_URL"], env.get("OPENLINEAGE_ENDPOINT") or DEFAULT_ENDPOINT),
            "api_key": env.get("OPENLINEAGE_API_KEY") or None,
            "timeout": 5.0,
            "gzip": False,
        }
    candidates = [
        env.get("OPENLINEAGE_CONFIG"),
        os.path.join(os.getcwd(), "openlineage.yml"),
        os.path.join(os.path.expanduser("~"), ".openlineage", "openlineage.yml"),
    ]
    found = next((c for c in candidates if c and os.path.isfile(c)), None)
    if found is None:
        return None
    try:
        import yaml
    except Exception:
        _store.warn_once(
            "openlineage-yaml",
            "%s was skipped: reading it needs PyYAML; set OPENLINEAGE_URL instead to send events "
            "to OpenLineage as they are logged." % found,
        )
        return None
    try:
        with open(found, encoding="utf-8") as handle:
            config = yaml.safe_load(handle)
    except Exception as error:
        _store.warn_once("openlineage-config", "%s: not valid YAML (%s)." % (found, str(error).split("\n")[0]))
        return None
    section = config.get("transport") if isinstance(config, dict) else None
    if not isinstance(section, dict):
        return None
    url = section.get("url")
    if section.get("type") != "http" or not isinstance(url, str) or not url.startswith(("http://", "https://")):
        _store.warn_once(
            "openlineage-config",
            "%s: only an http transport with an http(s) url is supported here; events are not sent." % found,
        )
        return None
    auth = section.get("auth") if isinstance(section.get("auth"), dict) else {}
    api_key = (auth.get("apiKey") or auth.get("api_key")) if auth.get("type") == "api_key" else None
    try:
        timeout = float(section.get("timeout", 5))
    except (TypeError, ValueError):
        timeout = 5.0
    endpoint = section.get("endpoint")
    return {
        "url": _join(url, endpoint if isinstance(endpoint, str) else DEFAULT_ENDPOINT),
        "api_key": api_key or None,
        "timeout": timeout if timeout > 0 else 5.0,
        "gzip": section.get("compression") == "gzip",
    }


def post(config, body_text):
    """POSTs one event; raises with a sentence unless the answer is 2xx."""
    import urllib.error
    import urllib.request

    body = body_text.encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if config["gzip"]:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    if config["api_key"]:
        headers["Authorization"] = "Bearer %s" % config["api_key"]
    request = urllib.request.Request(config["url"], data=body, headers=headers, method="POST")
    where = describe_url(config["url"])
    try:
        with urllib.request.urlopen(request, timeout=config["timeout"]) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        raise RuntimeError("%s answered %d" % (where, error.code))
    except Exception as error:
        reason = getattr(error, "reason", None) or error
        raise RuntimeError("cannot reach %s (%s)" % (where, reason))
    if not 200 <= status < 300:
        raise RuntimeError("%s answered %d" % (where, status))


class _Sender(object):
    def __init__(self, config):
        self.config = config
        self.condition = threading.Condition()
        self.queue = []  # (store_dir, path, line number, text)
        self.busy = False
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="mltrace-openlineage", daemon=True)
        self.thread.start()

    def send(self, store_dir, path, number, text):
        with self.condition:
            if self.stopped:
                return
            self.queue.append((store_dir, path, number, text))
            self.condition.notify()

    def wait(self, seconds):
        deadline = time.monotonic() + seconds
        with self.condition:
            while self.queue or self.busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.condition.wait(left)

    def _run(self):
        while True:
            with self.condition:
                while not self.queue:
                    self.condition.wait()
                item = self.queue[0]
                self.busy = True
            delivered = self._deliver(item[3])
            if delivered:
                self._record(item)  # before it counts as done: the exit wait may end right then
            with self.condition:
                self.busy = False
                if delivered:
                    self.queue.pop(0)
                else:
                    self.stopped = True
                    del self.queue[:]
                self.condition.notify_all()

    def _deliver(self, text):
        for attempt in range(len(RETRY_DELAYS) + 1):
            try:
                post(self.config, text)
                return True
            except Exception as error:
                if attempt == len(RETRY_DELAYS):
                    _store.warn_once(
                        "openlineage-send",
                        "mltrace could not send events to %s (%s); the local log has them: "
                        "`mltrace sync --openlineage` sends the rest." % (describe_url(self.config["url"]), error),
                    )
                    return False
                time.sleep(RETRY_DELAYS[attempt])

    def _record(self, item):
        store_dir, path, number, _ = item
        try:
            folder = os.path.join(store_dir, "openlineage", "live-%s" % backend_key(self.config["url"]))
            os.makedirs(folder, exist_ok=True)
            writer = os.path.basename(path)[: -len(".jsonl")]
            with open(os.path.join(folder, writer), "w") as handle:
                handle.write(str(number))
        except OSError:
            pass  # only a cost: the event may be sent again by `mltrace sync --openlineage`


_sender = None
_decided = False
_lock = threading.Lock()


def after_append(store_dir, path, number, text):
    """Called after line ``number`` (``text``) was appended to ``path``. Never raises."""
    global _sender, _decided
    try:
        if not _decided:
            with _lock:
                if not _decided:
                    config = transport()
                    _sender = _Sender(config) if config else None
                    _decided = True
        if _sender is not None:
            _sender.send(store_dir, path, number, text)
    except Exception:
        pass


def _after_fork_in_child():
    global _sender, _decided, _lock
    _lock = threading.Lock()
    _sender = None
    _decided = False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _wait_at_exit():
    try:
        if _sender is not None:
            seconds = float(os.environ.get("MLTRACE_OPENLINEAGE_EXIT_WAIT", "2"))
            _sender.wait(max(0.0, seconds))
    except Exception:
        pass


atexit.register(_wait_at_exit)
