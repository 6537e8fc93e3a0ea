import sys
from datetime import datetime

from mltrace import _events, _values
from mltrace.entities.io_pointer import IOPointer


def _uuid_for(run_id):
    """Run ids are UUIDs in the log; any other id (mltrace's were integers) maps to a stable one."""
    if run_id is None:
        return _events.new_run_id()
    import uuid

    try:
        return str(uuid.UUID(str(run_id)))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "mltrace-run:%s" % run_id))


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return [value]


class ComponentRun(object):
    """One run of a component, built by hand and logged with ``log_component_run``.

    Timestamps are datetimes; naive ones are taken as UTC (mltrace uses ``datetime.utcnow()``).
    The file and line where the run is created are recorded as its source location.
    """

    def __init__(
        self,
        component_name,
        start_timestamp=None,
        end_timestamp=None,
        inputs=[],
        outputs=[],
        git_hash=None,
        git_tags=None,
        code_snapshot=None,
        id=None,
        dependencies=[],
        notes="",
        **_ignored
    ):
        self._component_name = component_name
        self._start_timestamp = None
        self._end_timestamp = None
        if start_timestamp is not None:
            self.set_start_timestamp(start_timestamp)
        if end_timestamp is not None:
            self.set_end_timestamp(end_timestamp)
        self._inputs = []
        self._outputs = []
        self.add_inputs(_as_list(inputs))
        self.add_outputs(_as_list(outputs))
        self.git_hash = git_hash
        self.git_tags = list(git_tags) if git_tags else None
        self._code_snapshot = None
        self.set_code_snapshot(code_snapshot)
        self._id = _uuid_for(id)
        self._dependencies = []
        self.set_upstream(_as_list(dependencies))
        self._notes = [notes] if notes else []
        self._logged = False
        self._values = _values.RunValues()
        self._source_file = None
        self._source_line = None
        try:
            caller = sys._getframe(1)
            self._source_file = caller.f_code.co_filename
            self._source_line = caller.f_lineno
        except (AttributeError, ValueError):
            pass

    # -- mltrace's properties ------------------------------------------------------------------

    @property
    def component_name(self):
        return self._component_name

    @property
    def id(self):
        return self._id

    @property
    def start_timestamp(self):
        return self._start_timestamp

    @property
    def end_timestamp(self):
        return self._end_timestamp

    @property
    def inputs(self):
        return self._inputs

    @inputs.setter
    def inputs(self, inputs):
        self._inputs = []
        self.add_inputs(_as_list(inputs))

    @property
    def outputs(self):
        return self._outputs

    @outputs.setter
    def outputs(self, outputs):
        self._outputs = []
        self.add_outputs(_as_list(outputs))

    @property
    def code_snapshot(self):
        return self._code_snapshot

    @code_snapshot.setter
    def code_snapshot(self, snapshot):
        self.set_code_snapshot(snapshot)

    @property
    def dependencies(self):
        return self._dependencies

    @property
    def notes(self):
        return "\n".join(self._notes)

    # -- mltrace's methods ----------------------------------------------------------------------

    def set_start_timestamp(self, ts=None):
        self._start_timestamp = self._timestamp(ts)

    def set_end_timestamp(self, ts=None):
        self._end_timestamp = self._timestamp(ts)

    @staticmethod
    def _timestamp(ts):
        if ts is None:
            return _events.utc_now()
        if not isinstance(ts, datetime):
            raise TypeError("Timestamp must be of type datetime.")
        return ts

    def add_input(self, inp, pointer_type=None):
        """Adds one input: a name or an IOPointer."""
        self._add(self._inputs, inp, pointer_type)

    def add_inputs(self, inputs):
        for inp in _as_list(inputs):
            self.add_input(inp)

    def add_output(self, out, pointer_type=None):
        """Adds one output: a name or an IOPointer."""
        self._add(self._outputs, out, pointer_type)

    def add_outputs(self, outputs):
        for out in _as_list(outputs):
            self.add_output(out)

    @staticmethod
    def _add(pointers, item, pointer_type):
        pointer = item if isinstance(item, IOPointer) else IOPointer(item, pointer_type)
        if pointer not in pointers:
            pointers.append(pointer)

    def set_upstream(self, dependencies):
        """Declares that this run depends on the latest run of each named component."""
        for name in _as_list(dependencies):
            name = getattr(name, "component_name", name)  # a ComponentRun works too
            if name not in self._dependencies:
                self._dependencies.append(str(name))

    def set_git_hash(self, git_hash):
        self.git_hash = git_hash

    def set_git_tags(self, git_tags):
        self.git_tags = list(git_tags) if git_tags else None

    def set_code_snapshot(self, code_snapshot):
        if isinstance(code_snapshot, (bytes, bytearray)):
            code_snapshot = bytes(code_snapshot).decode("utf-8", "replace")
        self._code_snapshot = code_snapshot

    @property
    def params(self):
        return dict(self._values.params)

    @property
    def metrics(self):
        return dict(self._values.metrics)

    def log_param(self, name, value):
        """Records a parameter of the run (ours): a plain value as it is, anything else as its
        repr. Logged with the run; the latest value of a name wins."""
        self._values.log_param(name, value)

    def log_metric(self, name, value):
        """Records a metric of the run (ours): a finite number; anything else is skipped with
        one warning. Logged with the run; the latest value of a name wins."""
        self._values.log_metric(name, value)

    def add_notes(self, notes):
        """Adds a paragraph of notes; logged with the run."""
        if notes:
            self._notes.append(str(notes))
        return self.notes

    def check_completeness(self):
        """mltrace's check: a run needs a start and an end timestamp."""
        status = {"success": True, "msg": ""}
        if self._start_timestamp is None:
            status["success"] = False
            status["msg"] += "%s ComponentRun has no start timestamp. " % self._component_name
        if self._end_timestamp is None:
            status["success"] = False
            status["msg"] += "%s ComponentRun has no end timestamp. " % self._component_name
        return status

    def to_dictionary(self):
        return {
            "component_name": self.component_name,
            "start_timestamp": self.start_timestamp,
            "end_timestamp": self.end_timestamp,
            "inputs": list(self.inputs),
            "outputs": list(self.outputs),
            "git_hash": self.git_hash,
            "git_tags": self.git_tags,
            "code_snapshot": self.code_snapshot,
            "id": self.id,
            "dependencies": list(self.dependencies),
            "notes": self.notes,
        }

    def __repr__(self):
        return "ComponentRun(component_name=%r, id=%r)" % (self.component_name, self.id)
