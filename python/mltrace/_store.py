"""Where events go, and the one place that writes them (docs/EVENTS.md "Where events live").

Each process appends whole lines to a file of its own, one ``os.write`` per line on an
``O_APPEND`` descriptor, so concurrent writers never interleave and a killed process leaves
every line it finished. Nothing here raises into the user's pipeline: a store that cannot be
written gives one warning and the pipeline goes on.
"""

import atexit
import json
import os
import sys
import threading
import warnings

from ._namespace import component_namespace

STORE_FOLDER = ".mltrace"
EVENTS_FOLDER = "events"
SEGMENTS_FOLDER = "segments"
CODE_FOLDER = "code"  # code/<sha256>: an event of this store records that code (docs/EVENTS.md)
PROFILES_FOLDER = "profiles"  # profiles/<version, ":" as "-">: an event carries its data profile
END_MARKER = ".done"  # <file>.done: the writer has ended, its file may be merged (docs/LAYOUT.md)


class MltraceWarning(UserWarning):
    """Warnings of the logging shim (an unwritable store, an ignored database URI...)."""


class Location(object):
    __slots__ = ("store_dir", "root", "namespace")

    def __init__(self, store_dir):
        self.store_dir = store_dir
        # The root is the folder that holds the store; pointer names are relative to it.
        self.root = os.path.dirname(store_dir)
        # MLTRACE_NAMESPACE, else the git remote, else the root's name (_namespace.py).
        self.namespace = component_namespace(self.root)


_lock = threading.Lock()
_explicit_dir = None
_location = None
_fd = None
_fd_pid = None
_fd_path = None
_fd_lines = 0  # lines in this process's file: the number of the line an append writes
_warned = set()


def warn_once(key, message):
    """Warns once per key; never raises, even under ``-W error``."""
    if key in _warned:
        return
    _warned.add(key)
    try:
        warnings.warn(message, MltraceWarning, stacklevel=_user_stacklevel())
    except Exception:
        try:
            sys.stderr.write("mltrace: %s\n" % message)
        except Exception:
            pass


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_stacklevel():
    """The stack level of the first caller outside this package, so warnings name user code."""
    level = 1
    try:
        frame = sys._getframe(2)  # the caller of warn_once
        while frame is not None and os.path.dirname(frame.f_code.co_filename) in (
            _PACKAGE_DIR,
            os.path.join(_PACKAGE_DIR, "entities"),
        ):
            frame = frame.f_back
            level += 1
    except (AttributeError, ValueError):
        return 2
    return level + 1


def set_store_dir(path):
    """Logs to ``path`` (the ``.mltrace`` folder) from now on, whatever MLTRACE_DIR says."""
    global _explicit_dir, _location
    with _lock:
        _explicit_dir = os.path.abspath(os.fspath(path))
        _location = None
        _close()


def location():
    """``set_store_dir()``, else MLTRACE_DIR, else the nearest ancestor holding ``.mltrace``,
    else ``./.mltrace``. Resolved once per process (and again after ``set_store_dir``)."""
    global _location
    loc = _location
    if loc is None:
        loc = _location = Location(_resolve_store_dir())
    return loc


def _resolve_store_dir():
    if _explicit_dir:
        return _explicit_dir
    env = os.environ.get("MLTRACE_DIR")
    if env:
        return os.path.abspath(env)
    cwd = os.path.abspath(os.getcwd())
    directory = cwd
    while True:
        candidate = os.path.join(directory, STORE_FOLDER)
        if os.path.isdir(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return os.path.join(cwd, STORE_FOLDER)
        directory = parent


def encode(event):
    try:
        text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (undecodable file names): escape everything instead.
        return (json.dumps(event, separators=(",", ":")) + "\n").encode("ascii")


def append(event):
    """Appends one event as one line. Returns False (after warning once) when it could not."""
    global _fd_lines
    try:
        line = encode(event)
    except Exception as error:  # a value json cannot encode: a bug of ours, never the user's
        warn_once("encode", "mltrace could not encode an event (%s); it was skipped." % error)
        return False
    failure = None
    with _lock:
        try:
            fd = _open()
            written = os.write(fd, line)
            while written < len(line):  # only on a full disk; still our own file, so no interleaving
                written += os.write(fd, line[written:])
            _fd_lines += 1
            path, number, store_dir = _fd_path, _fd_lines, location().store_dir
        except OSError as error:
            _close()
            failure = error
    if failure is None:
        _after_append(store_dir, path, number, line)
        return True
    # Warned outside the lock: a warnings hook may log, even through mltrace.
    warn_once(
        "write",
        "mltrace cannot write to its store %s (%s); the pipeline goes on without lineage."
        % (_describe_store(), failure),
    )
    return False


def _after_append(store_dir, path, number, line):
    """What goes beyond the local log, off the pipeline's path: the team store push (_push) and
    the OpenLineage backend (_openlineage). Line ``number`` of ``path`` is ``line``."""
    try:
        from mltrace import _openlineage, _push

        _push.after_append(path)
        _openlineage.after_append(store_dir, path, number, line.decode("utf-8").rstrip("\n"))
    except Exception:
        pass


def _describe_store():
    try:
        return location().store_dir
    except OSError:  # the current directory was deleted...
        return "(unknown: %s)" % (os.environ.get("MLTRACE_DIR") or STORE_FOLDER)


def _open():
    global _fd, _fd_pid, _fd_path, _fd_lines
    pid = os.getpid()
    if _fd is not None and _fd_pid == pid:
        return _fd
    _fd = None  # a forked child never writes to its parent's file
    directory = os.path.join(location().store_dir, EVENTS_FOLDER)
    os.makedirs(directory, exist_ok=True)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    # Created exclusively: a name is never used twice, not even after compaction merged and
    # deleted the file that had it (its segment still names it).
    while True:
        name = "py-%s-%d-%s.jsonl" % (_host(), pid, os.urandom(6).hex())
        path = os.path.join(directory, name)
        try:
            _fd = os.open(path, flags, 0o666)
            break
        except FileExistsError:
            continue
    _fd_pid = pid
    _fd_path = path
    _fd_lines = 0
    return _fd


def _host():
    try:
        import socket

        host = socket.gethostname()
    except Exception:
        host = ""
    safe = "".join(c if c.isalnum() or c in "_.-" else "_" for c in host)[:64]
    return safe or "host"


def _close():
    """Ends this process's file: closes it, then creates its end marker, so that compaction may
    merge it. A process killed before this leaves no marker, and its file stays where it is."""
    global _fd
    if _fd is not None and _fd_pid == os.getpid():
        try:
            os.close(_fd)
            os.close(os.open(_fd_path + END_MARKER, os.O_WRONLY | os.O_CREAT, 0o666))
        except OSError:
            pass
    _fd = None


def _close_at_exit():
    with _lock:
        _close()


atexit.register(_close_at_exit)


def _after_fork_in_child():
    global _lock, _fd
    _lock = threading.Lock()  # another thread may have held it at fork time
    if _fd is not None:
        try:
            os.close(_fd)
        except OSError:
            pass
    _fd = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


_recorded_code = {}  # store dir -> hashes of code an event of that store records


def code_recorded(digest):
    """Whether an event of this store already records the code of this SHA-256 (hex)."""
    store_dir = location().store_dir
    known = _recorded_code.setdefault(store_dir, set())
    if digest in known:
        return True
    if os.path.exists(os.path.join(store_dir, CODE_FOLDER, digest)):
        known.add(digest)
        return True
    return False


def record_code(digest):
    """Called once the event that records the code is written: later events may name its hash.
    A crash before this costs the bytes of recording the code again, never a dangling name."""
    store_dir = location().store_dir
    _recorded_code.setdefault(store_dir, set()).add(digest)
    try:
        directory = os.path.join(store_dir, CODE_FOLDER)
        os.makedirs(directory, exist_ok=True)
        os.close(os.open(os.path.join(directory, digest), os.O_WRONLY | os.O_CREAT, 0o666))
    except OSError:
        pass


_profiled = {}  # store dir -> content versions whose profile an event of that store carries


def _profile_marker(version):
    """The marker file's name of a version (``sha256:<hex>`` or ``sha256-sampled:<hex>``), or None."""
    kind, _, digest = version.partition(":")
    if kind not in ("sha256", "sha256-sampled") or len(digest) != 64:
        return None
    if digest.strip("0123456789abcdef"):
        return None
    return kind + "-" + digest


def profile_recorded(version):
    """Whether an event of this store already carries the data profile of this content version
    (docs/EVENTS.md "Data profiles"); True for a version that is not one we profile."""
    store_dir = location().store_dir
    known = _profiled.setdefault(store_dir, set())
    if version in known:
        return True
    marker = _profile_marker(version)
    if marker is None or os.path.exists(os.path.join(store_dir, PROFILES_FOLDER, marker)):
        known.add(version)
        return True
    return False


def record_profile(version):
    """Called once the event that carries a version's profile is written."""
    marker = _profile_marker(version)
    if marker is None:
        return
    store_dir = location().store_dir
    _profiled.setdefault(store_dir, set()).add(version)
    directory = os.path.join(store_dir, PROFILES_FOLDER)
    path = os.path.join(directory, marker)
    try:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o666))
        except FileNotFoundError:  # the first marker of this store
            os.makedirs(directory, exist_ok=True)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o666))
    except OSError:
        pass


def log_listing(store_dir=None):
    """The store's event files: (loose files, segments, names of the files segments hold), the
    loose ones as (name, path), the segments as (manifest name, path of its .jsonl.gz), sorted.
    Loose files are listed first: a file merged between the two listings is then found in its
    segment (docs/LAYOUT.md)."""
    directory = os.path.join(store_dir or location().store_dir, EVENTS_FOLDER)
    segments = os.path.join(directory, SEGMENTS_FOLDER)
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".jsonl"))
    except OSError:
        names = []
    try:
        manifests = sorted(n for n in os.listdir(segments) if n.endswith(".json"))
    except OSError:
        manifests = []
    merged = set()
    for name in manifests:
        try:
            with open(os.path.join(segments, name), "rb") as handle:
                merged.update(source["name"] for source in json.load(handle)["sources"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    loose = [(name, os.path.join(directory, name)) for name in names]
    gz = [(name, os.path.join(segments, name[: -len(".json")] + ".jsonl.gz")) for name in manifests]
    return loose, gz, merged


def event_lines():
    """Every line of every event log in the store (ours and other writers'), for read-only scans:
    the loose files, then the segments that compaction merged ended files into (docs/LAYOUT.md).
    A file that a segment holds is read from the segment only."""
    loose, segments, merged = log_listing()
    for name, path in loose:
        if name not in merged:
            try:
                with open(path, "rb") as handle:
                    for raw in handle:
                        yield raw
            except OSError:
                continue
    import gzip

    for _, path in segments:
        try:
            with gzip.open(path, "rb") as handle:
                for raw in handle:
                    yield raw
        except (OSError, EOFError):
            continue
