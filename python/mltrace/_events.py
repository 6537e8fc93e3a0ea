"""OpenLineage 2-0-2 events and facets as docs/EVENTS.md defines them (see src/core/events.ts)."""

import os
from datetime import datetime, timezone

from mltrace import _pointers, _store

__version__ = "0.1.0"

SPEC_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
PRODUCER = "https://github.com/mltrace-vscode/mltrace-vscode/tree/v%s/python" % __version__
OUR_FACETS_URL = "https://github.com/mltrace-vscode/mltrace-vscode/blob/main/docs/EVENTS.md#"
FILE_NAMESPACE = "file"

_STANDARD = {
    "errorMessage": "facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
    "runTags": "facets/1-0-0/TagsRunFacet.json#/$defs/TagsRunFacet",
    "jobTags": "facets/1-0-0/TagsJobFacet.json#/$defs/TagsJobFacet",
    "jobDependencies": "facets/1-0-1/JobDependenciesRunFacet.json#/$defs/JobDependenciesRunFacet",
    "sourceCodeLocation": "facets/1-1-0/SourceCodeLocationJobFacet.json#/$defs/SourceCodeLocationJobFacet",
    "sourceCode": "facets/1-0-1/SourceCodeJobFacet.json#/$defs/SourceCodeJobFacet",
    "documentation": "facets/1-1-0/DocumentationJobFacet.json#/$defs/DocumentationJobFacet",
    "ownership": "facets/1-0-1/OwnershipJobFacet.json#/$defs/OwnershipJobFacet",
    "version": "facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet",
    "dataQualityMetrics": "facets/1-0-3/DataQualityMetricsInputDatasetFacet.json#/$defs/DataQualityMetricsInputDatasetFacet",
    "schema": "facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
}


def utc_now():
    return datetime.now(timezone.utc)


def as_utc(moment):
    """Aware datetimes are converted; naive ones are UTC, as mltrace's datetime.utcnow() is."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def iso(moment):
    moment = as_utc(moment)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (moment.microsecond // 1000)


def standard_facet(kind, fields):
    facet = {"_producer": PRODUCER, "_schemaURL": "https://openlineage.io/spec/" + _STANDARD[kind]}
    facet.update(fields)
    return facet


def our_facet(name, fields):
    facet = {"_producer": PRODUCER, "_schemaURL": OUR_FACETS_URL + name}
    facet.update(fields)
    return facet


def code_hash(source):
    """SHA-256 (hex) of the code's UTF-8, as the mltrace_code facet names it (src/core/codeRegistry.ts)."""
    import hashlib

    if not isinstance(source, bytes):
        source = source.encode("utf-8", "surrogatepass")
    return hashlib.sha256(source).hexdigest()


def new_run_id():
    """A random (version 4) UUID, without importing the uuid module."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def component_facets(description=None, owner=None, tags=None):
    """Job facets for component metadata; empty values are left out so they never clobber."""
    facets = {}
    if description:
        facets["documentation"] = standard_facet("documentation", {"description": str(description)})
    if owner:
        facets["ownership"] = standard_facet("ownership", {"owners": [{"name": str(owner)}]})
    if tags:
        facets["tags"] = standard_facet(
            "jobTags", {"tags": [{"key": str(t), "value": "true", "source": "MLTRACE"} for t in tags]}
        )
    return facets


def git_tags_facet(tags):
    return standard_facet(
        "runTags", {"tags": [{"key": "git.tag", "value": t, "source": "GIT"} for t in tags]}
    )


_origin = None


def origin():
    """Who ran it where, for ``mltrace_run``: the user's login name and the machine's host name
    (docs/EVENTS.md), each left out when it cannot be found. Teammates see them beside the run,
    and staleness judges a run logged on another machine by the log, not by this disk."""
    global _origin
    if _origin is None:
        found = {}
        try:
            import getpass

            found["user"] = getpass.getuser()
        except Exception:
            pass
        try:
            import socket

            found["host"] = socket.gethostname()
        except Exception:
            pass
        _origin = {k: v for k, v in found.items() if isinstance(v, str) and v}
    return _origin


def run_event(event_type, event_time, run_id, job_name, run_facets, job_facets, inputs, outputs):
    return {
        "eventType": event_type,
        "eventTime": iso(event_time),
        "producer": PRODUCER,
        "schemaURL": SPEC_URL + "#/$defs/RunEvent",
        "run": {"runId": run_id, "facets": run_facets},
        "job": {"namespace": _store.location().namespace, "name": job_name, "facets": job_facets},
        "inputs": inputs,
        "outputs": outputs,
    }


def job_event(job_name, job_facets):
    return {
        "eventTime": iso(utc_now()),
        "producer": PRODUCER,
        "schemaURL": SPEC_URL + "#/$defs/JobEvent",
        "job": {"namespace": _store.location().namespace, "name": job_name, "facets": job_facets},
    }


def flag_event(namespace, name, flagged):
    return {
        "eventTime": iso(utc_now()),
        "producer": PRODUCER,
        "schemaURL": SPEC_URL + "#/$defs/DatasetEvent",
        "dataset": {
            "namespace": namespace,
            "name": name,
            "facets": {"mltrace_flag": our_facet("mltrace_flag", {"flagged": bool(flagged)})},
        },
    }


def notes_event(run_id, job_name, notes, namespace=None):
    event = run_event("OTHER", utc_now(), run_id, job_name, {}, {}, [], [])
    del event["inputs"], event["outputs"]
    event["run"]["facets"] = {"mltrace_notes": our_facet("mltrace_notes", {"notes": notes})}
    if namespace:
        event["job"]["namespace"] = namespace
    return event


class Pointer(object):
    """A pointer as logged: normalised name, type, and (for files) its fingerprint."""

    __slots__ = ("name", "pointer_type", "print", "labels")

    def __init__(self, raw_name, pointer_type=None, endpoint=False):
        loc = _store.location()
        self.name = _pointers.normalize(_pointers.pointer_name(raw_name), loc.root)
        if endpoint:
            pointer_type = _pointers.PointerTypeEnum.ENDPOINT
        self.pointer_type = _pointers.coerce_type(pointer_type) or _pointers.infer_pointer_type(
            self.name
        )
        self.print = None
        self.labels = ()  # inputs: labels this read attaches (docs/LABELS.md)

    def take_fingerprint(self):
        """Fingerprints the file the pointer names, now (when it was read or written)."""
        if self.pointer_type is not _pointers.PointerTypeEnum.ENDPOINT:
            self.print = _pointers.fingerprint(
                _pointers.pointer_path(self.name, _store.location().root)
            )
        return self

    def dataset(self, role=None, profiled=None):
        """The event's dataset. With ``profiled`` (a COMPLETE or FAIL event: the versions this
        event profiles so far), a tabular file's profile goes in too, once per content version
        (docs/EVENTS.md "Data profiles"), in ``inputFacets`` or ``outputFacets`` by ``role``."""
        facets = {}
        io_facets = None
        fields = {"pointerType": self.pointer_type.value}
        if self.print:
            facets["version"] = standard_facet(
                "version", {"datasetVersion": self.print["fingerprint"]}
            )
            fields["size"] = self.print["size"]
            fields["modifiedTime"] = self.print["modifiedTime"]
            if profiled is not None:
                io_facets = self._profile_facets(facets, profiled)
        # A type that the name already implies, with nothing else to say, is left out: it would
        # only make every event longer (docs/EVENTS.md "mltrace_pointer").
        if len(fields) > 1 or self.pointer_type.value != _pointers.infer_pointer_type(self.name).value:
            facets["mltrace_pointer"] = our_facet("mltrace_pointer", fields)
        dataset = {"namespace": FILE_NAMESPACE, "name": self.name, "facets": facets}
        if self.labels:
            labels = {"labels": list(self.labels)}
            io_facets = dict(io_facets or {})
            io_facets["mltrace_labels"] = our_facet("mltrace_labels", labels)
        if io_facets:
            dataset["outputFacets" if role == "output" else "inputFacets"] = io_facets
        return dataset

    def _profile_facets(self, facets, profiled):
        """The profile of the fingerprinted version, unless an event of the store (or an earlier
        dataset of this one) carries it; None too when the file changed since its fingerprint."""
        from mltrace import _profile  # imported when first needed: `import mltrace` stays light

        version = self.print["fingerprint"]
        if version in profiled or not _profile.format_of(self.name) or _store.profile_recorded(version):
            return None
        budget = _profile.budget_ms()
        if budget <= 0:
            return None
        path = _pointers.pointer_path(self.name, _store.location().root)
        found = _profile.profile_file(path, budget)
        if found is None or not _unchanged(path, self.print):
            return None
        profiled.add(version)
        facets["schema"] = standard_facet("schema", {"fields": found["schema"]})
        return {
            "dataQualityMetrics": standard_facet("dataQualityMetrics", found["metrics"]),
            "mltrace_profile": our_facet("mltrace_profile", found["profile"]),
        }


def _unchanged(path, fingerprint):
    """Whether the file still has the size and modification time it was fingerprinted with."""
    stat = _pointers.regular_file_stat(path)
    return (
        stat is not None
        and stat.st_size == fingerprint["size"]
        and _pointers.iso_millis(stat.st_mtime_ns) == fingerprint["modifiedTime"]
    )


def unique(pointers):
    """Pointers in first-seen order, one per name, with the labels of all of them."""
    seen = {}
    for pointer in pointers:
        kept = seen.get(pointer.name)
        if kept is None:
            seen[pointer.name] = pointer
        elif pointer.labels:
            kept.labels = tuple(dict.fromkeys(tuple(kept.labels) + tuple(pointer.labels)))
    return list(seen.values())
