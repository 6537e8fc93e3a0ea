"""Pointer names, types and content fingerprints (DESIGN.md section 2, docs/EVENTS.md "Names").

These rules mirror src/core/pointers.ts and src/core/fingerprint.ts exactly: the extension
recomputes fingerprints to tell whether an input changed since a run read it.
"""

import enum
import os
import stat as stat_module
import time
from datetime import datetime, timezone

DATA_EXTENSIONS = frozenset(["csv", "pq", "parquet", "txt", "md", "rtf", "tsv", "xml", "pdf"])
MODEL_EXTENSIONS = frozenset(
    ["h5", "hdf5", "joblib", "pkl", "pickle", "ckpt", "mlmodel", "onnx", "pt", "safetensors"]
)

# Files above this size get a sampled fingerprint: sha256 of "size:<bytes>\n", then the first
# MiB, the MiB that starts at size//2 - 512 KiB, and the last MiB.
FULL_HASH_LIMIT = 64 * 1024 * 1024
_MIB = 1024 * 1024


class PointerTypeEnum(str, enum.Enum):
    DATA = "DATA"
    MODEL = "MODEL"
    ENDPOINT = "ENDPOINT"
    UNKNOWN = "UNKNOWN"


def infer_pointer_type(name):
    """mltrace's rule: "data" in the name, then "model", then the extension."""
    lower = name.lower()
    if "data" in lower:
        return PointerTypeEnum.DATA
    if "model" in lower:
        return PointerTypeEnum.MODEL
    extension = lower.rsplit(".", 1)[1] if "." in lower else ""
    if extension in DATA_EXTENSIONS:
        return PointerTypeEnum.DATA
    if extension in MODEL_EXTENSIONS:
        return PointerTypeEnum.MODEL
    return PointerTypeEnum.UNKNOWN


def coerce_type(pointer_type):
    """A PointerTypeEnum from an enum, its name or value (any case), or None."""
    if pointer_type is None or isinstance(pointer_type, PointerTypeEnum):
        return pointer_type
    text = str(getattr(pointer_type, "value", pointer_type)).upper()
    try:
        return PointerTypeEnum(text)
    except ValueError:
        raise ValueError(
            "Unknown pointer type %r: use one of DATA, MODEL, ENDPOINT, UNKNOWN." % (pointer_type,)
        )


def pointer_name(value):
    """The text of a pointer given as a str, a path-like or anything else (str())."""
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fsdecode(os.fspath(value))
    if isinstance(value, bytes):
        return os.fsdecode(value)
    name = getattr(value, "name", None)  # an IOPointer
    if isinstance(name, str) and hasattr(value, "pointer_type"):
        return name
    return str(value)


def normalize(name, root):
    """Paths (absolute, existing, or containing a separator) become relative to the root with
    "/" separators; files outside the root keep their absolute path; other names are verbatim."""
    looks_like_path = os.path.isabs(name) or "/" in name or os.sep in name
    try:
        absolute = os.path.abspath(name)
        if not looks_like_path and not os.path.exists(absolute):
            return name
        relative = os.path.relpath(absolute, root)
    except (ValueError, OSError):  # NUL in the name, another drive on Windows...
        return name if not os.path.isabs(name) else os.path.abspath(name)
    if relative == "." or relative.startswith("..") or os.path.isabs(relative):
        return absolute
    return relative.replace(os.sep, "/")


def pointer_path(name, root):
    """The file a normalised pointer name refers to."""
    return name if os.path.isabs(name) else os.path.join(root, *name.split("/"))


def iso_millis(ns):
    """ISO 8601 UTC with milliseconds, as the extension writes a file's mtime (Node rounds the
    nanoseconds to the nearest millisecond, then toISOString())."""
    ms = (ns + 500000) // 1000000
    moment = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ms % 1000)


# (path) -> ((size, mtime_ns, ino, ctime_ns), fingerprint). Only files that have not changed
# for a while are cached: a rewrite within one timestamp tick would otherwise go unseen.
_cache = {}
_CACHE_LIMIT = 256
_SETTLED_NS = 2 * 1000 * 1000 * 1000


def regular_file_stat(path):
    """os.stat of a regular file, or None (missing, a folder, an invalid name...)."""
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    return stat if stat_module.S_ISREG(stat.st_mode) else None


def fingerprint(path):
    """``{"fingerprint", "size", "modifiedTime"}`` of a regular file, or None."""
    stat = regular_file_stat(path)
    if stat is None:
        return None
    key = (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
    hit = _cache.get(path)
    if hit is not None and hit[0] == key:
        return dict(hit[1])
    try:
        digest = _hash_file(path, stat.st_size)
    except OSError:
        return None
    result = {
        "fingerprint": digest,
        "size": stat.st_size,
        "modifiedTime": iso_millis(stat.st_mtime_ns),
    }
    if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) > _SETTLED_NS:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[path] = (key, result)
    return dict(result)


def _hash_file(path, size):
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        if size <= FULL_HASH_LIMIT:
            remaining = size  # exactly the size we stat'ed, like the extension does
            while remaining > 0:
                chunk = handle.read(min(_MIB, remaining))
                if not chunk:
                    break
                digest.update(chunk)
                remaining -= len(chunk)
            return "sha256:" + digest.hexdigest()
        digest.update(("size:%d\n" % size).encode("ascii"))
        for start in (0, size // 2 - _MIB // 2, size - _MIB):
            handle.seek(start)
            digest.update(handle.read(_MIB))
        return "sha256-sampled:" + digest.hexdigest()
