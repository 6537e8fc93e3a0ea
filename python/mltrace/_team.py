"""The team store a pipeline names with ``set_db_uri("postgresql://...")`` (docs/TEAM.md).

The shim still writes locally; the URI is recorded, without its password, for ``mltrace sync``
and the extension, in the user's own configuration folder (``$MLTRACE_CONFIG_DIR``, else
``$XDG_CONFIG_HOME/mltrace``, else ``~/.config/mltrace``), keyed by the store's real path, never
inside the workspace: a cloned repository cannot name a server that lineage would be sent to.
Nothing here raises into the pipeline.
"""

import json
import os

try:  # Python 3
    from urllib.parse import urlsplit, urlunsplit
except ImportError:  # pragma: no cover
    from urlparse import urlsplit, urlunsplit

from mltrace import _store

FILE_NAME = "team-stores.json"


def config_dir():
    explicit = os.environ.get("MLTRACE_CONFIG_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "mltrace")


def without_password(uri):
    """The URI with any password removed; (uri, True) when one was there."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri, False
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = "%s:%d" % (host, parts.port)
    netloc = ("%s@%s" % (user, host)) if user else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), True


def recorded():
    """The team store URI recorded for this store by ``set_db_uri``, or None."""
    try:
        with open(os.path.join(config_dir(), FILE_NAME), encoding="utf-8") as f:
            stores = json.load(f)
        uri = stores.get(os.path.realpath(_store.location().store_dir)) if isinstance(stores, dict) else None
        return uri if isinstance(uri, str) else None
    except (OSError, ValueError):
        return None


def record(uri):
    """Records ``uri`` as this store's team store; warns (once) instead of raising."""
    try:
        if not isinstance(uri, str) or not uri.startswith(("postgresql://", "postgres://")):
            _store.warn_once("db-uri", "set_db_uri() expects a postgresql:// URI; %r was not recorded." % (uri,))
            return
        clean, had_password = without_password(uri)
        if had_password:
            _store.warn_once(
                "db-password",
                "set_db_uri(): the password was not recorded; give it with PGPASSWORD or ~/.pgpass.",
            )
        folder = config_dir()
        path = os.path.join(folder, FILE_NAME)
        try:
            with open(path, encoding="utf-8") as f:
                stores = json.load(f)
            if not isinstance(stores, dict):
                stores = {}
        except (OSError, ValueError):
            stores = {}
        key = os.path.realpath(_store.location().store_dir)
        if stores.get(key) == clean:
            return
        stores[key] = clean
        os.makedirs(folder, exist_ok=True)
        temp = "%s.%d.tmp" % (path, os.getpid())
        with open(temp, "w", encoding="utf-8") as f:
            json.dump(stores, f, indent=2, sort_keys=True)
        os.replace(temp, path)
        from mltrace import _push

        _push.reconfigure()
    except Exception as error:  # never into the pipeline
        _store.warn_once("db-record", "set_db_uri(): could not record the team store (%s)." % (error,))
