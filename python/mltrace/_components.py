"""mltrace's ``get_components(tag, owner)`` and ``get_tags()``, answered from the log (``_derived``):
a component is a job that ran (a START, RUNNING, COMPLETE, FAIL or ABORT event) or was
described; its description and owner are the latest given (by event time), its tags accumulate,
as the extension derives them (src/core/ingest/applyBatch.ts)."""


from mltrace import _derived

LIFECYCLE = ("START", "RUNNING", "COMPLETE", "FAIL", "ABORT")


class _Known(object):
    __slots__ = ("ran", "description", "owner", "tags")

    def __init__(self):
        self.ran = False
        self.description = None  # (ms, order, text)
        self.owner = None
        self.tags = []


class ComponentLog(object):
    def __init__(self):
        self._lock = _derived.ForkSafeLock()
        self._follower = _derived.LogFollower(b'"job"')
        self._known = {}
        self._order = 0
        self._store_dir = None

    def components(self):
        """{name: (description, owner, tags)} of every component, as the log says now."""
        from mltrace import _store

        with self._lock:
            store_dir = _store.location().store_dir
            if store_dir != self._store_dir:
                self._store_dir, self._known = store_dir, {}
            for event in self._follower.new_events():
                self._take(event)
            return {
                name: (
                    known.description[2] if known.description else "",
                    known.owner[2] if known.owner else "",
                    list(known.tags),
                )
                for name, known in self._known.items()
                if known.ran or known.description or known.owner or known.tags
            }

    def _take(self, event):
        job = event.get("job")
        if not isinstance(job, dict) or not isinstance(job.get("name"), str) or not job["name"]:
            return
        ms = _derived.event_ms(event)
        if ms is None:
            return
        known = self._known.setdefault(job["name"], _Known())
        if "run" in event and str(event.get("eventType", "")).upper() in LIFECYCLE:
            known.ran = True
        facets = job.get("facets")
        if not isinstance(facets, dict):
            return
        self._order += 1
        stamp = (ms, self._order)
        doc = facets.get("documentation")
        if isinstance(doc, dict) and isinstance(doc.get("description"), str):
            if known.description is None or stamp > known.description[:2]:
                known.description = stamp + (doc["description"],)
        ownership = facets.get("ownership")
        owners = ownership.get("owners") if isinstance(ownership, dict) else None
        if isinstance(owners, list) and owners and all(isinstance(o, dict) and isinstance(o.get("name"), str) for o in owners):
            if known.owner is None or stamp > known.owner[:2]:
                known.owner = stamp + (", ".join(o["name"] for o in owners),)
        tags = facets.get("tags")
        tag_list = tags.get("tags") if isinstance(tags, dict) else None
        for tag in tag_list if isinstance(tag_list, list) else []:
            if isinstance(tag, dict) and isinstance(tag.get("key"), str) and isinstance(tag.get("value"), str):
                name = tag["key"] if tag["value"] in ("", "true") else "%s:%s" % (tag["key"], tag["value"])
                if name not in known.tags:
                    known.tags.append(name)


_log = ComponentLog()


def components(tag="", owner=""):
    """(name, description, owner, tags) of the components with that tag and/or owner (all when
    neither is given), by name."""
    found = []
    for name, (description, owner_name, tags) in sorted(_log.components().items()):
        if tag and tag not in tags:
            continue
        if owner and owner != owner_name:
            continue
        found.append((name, description, owner_name, tags))
    return found


def tags():
    return sorted({tag for _, _, _, component_tags in components() for tag in component_tags})
