"""Runs as events: START when a run begins, COMPLETE or FAIL when it ends (docs/EVENTS.md).

Shared by ``@register``, ``Component.run`` and ``log_component_run``. Logging never breaks the
user's pipeline: any failure of ours becomes one warning. The only errors raised on purpose are
mltrace's own (a variable named in ``input_vars`` that does not exist, an incomplete run).
"""

import logging
import os
import sys
import time

import threading

from mltrace import _events, _git, _labels, _pointers, _store, _values

LOGGER = logging.getLogger("mltrace")

SECONDS_PER_DAY = 60 * 60 * 24
CODE_SNAPSHOT_LIMIT = 2 ** 16  # mltrace keeps snapshots shorter than this
STACK_TRACE_LIMIT = 64 * 1024


class _DefaultThreshold(int):
    """mltrace's default staleness threshold (30 days, in seconds), told apart from an explicit
    value so that the extension's own setting applies when the user gave none."""

    def __repr__(self):
        return "%d" % int(self)


DEFAULT_STALENESS = _DefaultThreshold(SECONDS_PER_DAY * 30)


def report_bug(error):
    _store.warn_once(
        "internal",
        "mltrace could not log a run (%s: %s); the pipeline goes on." % (type(error).__name__, error),
    )


def file_uri(path):
    """A file:// URI with the path percent-encoded, so that it is a valid URI."""
    path = path.replace(os.sep, "/")
    if not path.startswith("/"):
        path = "/" + path  # C:/x -> /C:/x
    safe = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/:")
    return "file://" + "".join(
        chr(b) if b in safe else "%%%02X" % b for b in path.encode("utf-8", "surrogateescape")
    )


def error_facet(error):
    import traceback

    message = "".join(traceback.format_exception_only(type(error), error)).strip()
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    if len(trace) > STACK_TRACE_LIMIT:
        trace = "...\n" + trace[-STACK_TRACE_LIMIT:]
    return _events.standard_facet(
        "errorMessage",
        {"message": message or type(error).__name__, "programmingLanguage": "python", "stackTrace": trace},
    )


class RunLog(object):
    """What a run's events say about it, besides its inputs and outputs."""

    def __init__(self, component, run_id=None, start=None):
        self.component = str(component)
        self.run_id = run_id or _events.new_run_id()
        self.start = start or _events.utc_now()
        self.run_fields = {}  # extra fields of the mltrace_run facet
        self.run_facets = {}  # jobDependencies, git tags
        self.job_facets = {}  # component metadata, sourceCodeLocation
        self.code = None
        self.values = _values.RunValues()  # parameters and metrics, on the end event

    def set_source(self, filename, line, git_hash=None, git_tags=(), code=None):
        if filename and not filename.startswith("<"):
            absolute = os.path.abspath(filename)
            fields = {
                "type": "git" if git_hash else "file",
                "url": file_uri(absolute) + ("#L%d" % line if line else ""),
                "path": _pointers.normalize(absolute, _store.location().root),
            }
            if git_hash:
                fields["version"] = git_hash
            self.job_facets["sourceCodeLocation"] = _events.standard_facet("sourceCodeLocation", fields)
        if git_tags:
            self.run_facets["tags"] = _events.git_tags_facet(list(git_tags))
        if code:
            self.code = code

    def set_staleness_threshold(self, seconds):
        if seconds is not None and not isinstance(seconds, _DefaultThreshold):
            self.run_fields["stalenessThresholdDays"] = float(seconds) / SECONDS_PER_DAY

    def start_event(self, inputs):
        run_facets = {"mltrace_run": self._run_facet(None)}
        run_facets.update(self.run_facets)
        return _events.run_event(
            "START",
            self.start,
            self.run_id,
            self.component,
            run_facets,
            dict(self.job_facets),
            [p.dataset() for p in _events.unique(inputs)],
            [],
        )

    def end_event(self, end, inputs, outputs, error=None, code_recorded=False, profiled=None):
        """COMPLETE or FAIL. ``profiled``: a set that collects the content versions whose data
        profile this event carries (docs/EVENTS.md "Data profiles")."""
        if profiled is None:
            profiled = set()
        run_facets = {"mltrace_run": self._run_facet(end)}
        run_facets.update(self.run_facets)
        if error is not None:
            run_facets["errorMessage"] = error_facet(error)
        run_facets.update(self.values.facets())
        job_facets = dict(self.job_facets)
        if self.code:
            if code_recorded:
                job_facets["mltrace_code"] = _events.our_facet(
                    "mltrace_code", {"language": "python", "sha256": _events.code_hash(self.code)}
                )
            else:
                job_facets["sourceCode"] = _events.standard_facet(
                    "sourceCode", {"language": "python", "sourceCode": self.code}
                )
        return _events.run_event(
            "FAIL" if error is not None else "COMPLETE",
            end,
            self.run_id,
            self.component,
            run_facets,
            job_facets,
            [p.dataset("input", profiled) for p in _events.unique(inputs)],
            [p.dataset("output", profiled) for p in _events.unique(outputs)],
        )

    def append_end(self, end, inputs, outputs, error=None):
        """Appends COMPLETE or FAIL. The code goes in once per version (docs/EVENTS.md
        "mltrace_code"): the first event of this store to carry it records it, later ones name
        its hash. So do data profiles, once per content version ("Data profiles")."""
        digest = _events.code_hash(self.code) if self.code else None
        recorded = digest is not None and _store.code_recorded(digest)
        profiled = set()
        if _store.append(self.end_event(end, inputs, outputs, error, recorded, profiled)):
            if digest and not recorded:
                _store.record_code(digest)
            for version in profiled:
                _store.record_profile(version)

    def _run_facet(self, end):
        fields = {"startTime": _events.iso(self.start)}
        fields.update(_events.origin())
        if end is not None:
            fields["endTime"] = _events.iso(end)
        fields.update(self.run_fields)
        return _events.our_facet("mltrace_run", fields)


# ----------------------------------------------------------------------------------------------
# Decorated functions: @register and Component.run


class CaptureSpec(object):
    """What a decorator was told to log (mltrace's parameters)."""

    def __init__(
        self,
        inputs=(),
        outputs=(),
        input_vars=(),
        output_vars=(),
        input_kwargs=None,
        output_kwargs=None,
        endpoint=False,
        staleness_threshold=DEFAULT_STALENESS,
        auto_log=False,
        input_labels=None,
        params=(),
        metrics=(),
    ):
        self.inputs = _names(inputs)
        self.outputs = _names(outputs)
        self.input_vars = _var_names(input_vars)
        # Component.run's {variable: label variable(s)} form (docs/LABELS.md).
        self.input_labels = dict(input_vars) if isinstance(input_vars, dict) else {}
        self.input_labels.update(input_labels or {})
        self.output_vars = _var_names(output_vars)
        self.input_kwargs = dict(input_kwargs or {})
        self.output_kwargs = dict(output_kwargs or {})
        self.endpoint = bool(endpoint)
        self.staleness_threshold = staleness_threshold
        self.auto_log = bool(auto_log)
        self.params = _var_names(params)
        self.metrics = _var_names(metrics)


def _names(value):
    if value is None or callable(value):
        return []
    if isinstance(value, (str, bytes, os.PathLike)):
        return [value]
    return list(value)


def _var_names(value):
    # Component.run also takes {variable: label variables}: CaptureSpec keeps those.
    if isinstance(value, dict):
        return list(value.keys())
    return [str(v) for v in _names(value)]


class FunctionInfo(object):
    """Where a decorated function lives and its source; looked up once, at its first call."""

    def __init__(self, func):
        self.func = func
        self.code = None
        self.filename = None
        self.line = None
        self.source = None
        self._resolved = False

    def resolve(self):
        """Looks the function up; idempotent, so threads racing here only repeat the work."""
        if self._resolved:
            return
        try:
            import inspect

            target = inspect.unwrap(self.func)
            code = getattr(target, "__code__", None) or getattr(
                getattr(target, "__func__", None), "__code__", None
            )
            if code is not None:
                self.filename = code.co_filename
                self.line = code.co_firstlineno
                self.code = code
            source = inspect.getsource(target)
            if len(source) < CODE_SNAPSHOT_LIMIT:
                self.source = source
        except Exception:
            pass  # built-ins, code typed at a prompt...
        self._resolved = True

    def directory(self):
        if self.filename and not self.filename.startswith("<"):
            return os.path.dirname(os.path.abspath(self.filename))
        return None


def _mtime_reference_ns():
    """A time no later than the timestamp of any file written from now on. Linux stamps files
    with the coarse clock, which can lag the precise one by a tick."""
    clock = getattr(time, "CLOCK_REALTIME_COARSE", None)
    if clock is not None:
        try:
            return time.clock_gettime_ns(clock)
        except (AttributeError, OSError):
            pass
    return time.time_ns() - 20 * 1000 * 1000  # other systems: allow for coarse file timestamps


_MAX_AUTO_LOG_LIST = 100
_MAX_PATH_LENGTH = 4096


def _file_values(value):
    """The path strings in a value that might name files (a path, or a short list of them)."""
    if isinstance(value, (list, tuple)):
        if len(value) > _MAX_AUTO_LOG_LIST:
            return []
        items = value
    else:
        items = [value]
    paths = []
    for item in items:
        if isinstance(item, os.PathLike):
            item = os.fspath(item)
        if isinstance(item, str) and 0 < len(item) < _MAX_PATH_LENGTH and "\n" not in item:
            paths.append(item)
    return paths


def _file_state(path):
    stat = _pointers.regular_file_stat(path)
    return None if stat is None else (stat.st_mtime_ns, stat.st_size, stat.st_ino)


class DecoratedRun(object):
    """One call of a decorated function, from START to COMPLETE or FAIL."""

    def __init__(self, component, info, spec):
        self.spec = spec
        self.info = info
        self.log = RunLog(component)
        self.mtime_reference = None
        self.start_inputs = []
        self.arg_files = {}  # path -> state at start, for auto_log
        self.checked_vars = set()  # input variables whose labels were checked before the body
        self.loaded = []  # pointers of mltrace.load() / save() called during the run
        self.saved = []

    def begin(self, args, kwargs, job_facets=None):
        """Emits START: the inputs known at entry, the code's location and version."""
        info = self.info
        git_hash, git_tags = _git.git_info(info.directory())
        self.log.set_source(info.filename, info.line, git_hash, git_tags, info.source)
        self.log.set_staleness_threshold(self.spec.staleness_threshold)
        if job_facets:
            self.log.job_facets.update(job_facets)
        inputs = [_events.Pointer(name) for name in self.spec.inputs]
        if self.spec.auto_log:
            inputs += self._argument_files(args, kwargs)
        self.start_inputs = [p.take_fingerprint() for p in inputs]
        _store.append(self.log.start_event(self.start_inputs))
        # Taken last, just before the function runs: a file last written before this moment
        # (even by the previous stage, a moment ago) is not one this run wrote.
        self.mtime_reference = _mtime_reference_ns()

    def _argument_files(self, args, kwargs):
        import inspect

        try:
            bound = inspect.signature(self.info.func).bind(*args, **kwargs)
            bound.apply_defaults()
        except (TypeError, ValueError):
            return []  # the call itself will raise
        pointers = []
        for value in bound.arguments.values():
            values = value.values() if isinstance(value, dict) else [value]
            for item in values:
                for path in _file_values(item):
                    state = _file_state(path)
                    if state is not None:
                        self.arg_files[os.path.abspath(path)] = state
                        pointers.append(_events.Pointer(path))
        return pointers

    def fail(self, error):
        """Emits FAIL with the error's message; never raises."""
        try:
            self.log.append_end(_events.utc_now(), self.start_inputs, [], error)
        except Exception as bug:
            report_bug(bug)

    def finish(self, local_vars):
        """Reads the variables mltrace's rules name (raising ValueError as mltrace does), then
        emits COMPLETE with every input and output fingerprinted."""
        end = _events.utc_now()
        try:
            inputs, outputs = self._declared(local_vars)
        except ValueError:
            raise
        except Exception as bug:
            report_bug(bug)
            inputs, outputs = list(self.start_inputs), []
        self._check_late_labels(local_vars)
        try:
            self._append_end(end, inputs, outputs)
        except Exception as bug:
            report_bug(bug)

    def _check_late_labels(self, local_vars):
        """Input variables that were not arguments are known only now: checked now, as mltrace
        checks them (after the body; their run is recorded as failed)."""
        late = [v for v in self.spec.input_vars if v not in self.checked_vars]
        if not late:
            return
        try:
            pointers, attached = _inputs_with_labels(self.spec, local_vars, late)
            _labels.check_inputs(pointers, attached, self.spec.staleness_threshold, LOGGER)
        except _labels.LabelsRetracted:
            raise
        except Exception as bug:
            report_bug(bug)

    def _append_end(self, end, inputs, outputs):
        for pointer in inputs[len(self.start_inputs) :]:
            pointer.take_fingerprint()
        for pointer in outputs:
            pointer.take_fingerprint()
        self.log.append_end(end, inputs, outputs)

    def _declared(self, local_vars):
        spec = self.spec
        endpoint = spec.endpoint
        inputs = list(self.start_inputs)
        outputs = []
        for var in spec.input_vars:
            pointers = _pointers_from_var(local_vars, var, False)
            labels = _label_values(local_vars, spec.input_labels.get(var))
            for pointer in pointers:
                pointer.labels = tuple(labels)
            inputs += pointers
        for var in spec.output_vars:
            outputs += _pointers_from_var(local_vars, var, endpoint)
        for key, val in spec.input_kwargs.items():
            inputs += _pointers_from_kwarg(local_vars, key, val, False)
        for key, val in spec.output_kwargs.items():
            outputs += _pointers_from_kwarg(local_vars, key, val, endpoint)
        outputs += [_events.Pointer(name, endpoint=endpoint) for name in spec.outputs]
        if spec.auto_log:
            outputs += self._written_files(local_vars)
        inputs += self.loaded
        outputs += self.saved
        _values.read_locals(self.log.values, local_vars, spec.params, spec.metrics)
        return inputs, outputs

    def _written_files(self, local_vars):
        """Locals (arguments included) naming files written during the run."""
        pointers = []
        for value in local_vars.values():
            for path in _file_values(value):
                state = _file_state(path)
                if state is None:
                    continue
                before = self.arg_files.get(os.path.abspath(path))
                if before is not None:
                    written = state != before
                else:
                    reference = self.mtime_reference
                    written = reference is not None and state[0] >= reference
                if written:
                    pointers.append(_events.Pointer(path))
        return pointers


def _pointers_from_value(value, endpoint):
    if isinstance(value, (list, tuple)):
        return [_events.Pointer(v, endpoint=endpoint) for v in value if v is not None]
    return [_events.Pointer(value, endpoint=endpoint)]


def _pointers_from_var(local_vars, var, endpoint):
    if var not in local_vars:
        raise ValueError("Variable %s not in current stack frame." % var)
    value = local_vars[var]
    if value is None:
        return []
    return _pointers_from_value(value, endpoint)


def _label_values(variables, label_vars):
    """The labels mltrace's label variables hold (recorded form: keyed hashes when set up)."""
    if label_vars is None:
        return []
    names = label_vars if isinstance(label_vars, (list, tuple)) else [label_vars]
    missing = [n for n in names if n not in variables]
    if missing:
        raise ValueError("Variable %s not in current stack frame." % (label_vars,))
    if isinstance(label_vars, (list, tuple)):
        values = [variables[n] for n in names]  # each variable holds one label
    else:
        values = variables[label_vars]
    return [_labels.recorded(label) for label in _labels.labels_of(values)]


def _inputs_with_labels(spec, variables, names):
    """The input pointers the variables name, and the labels they attach: (pointers, [(name, labels)])."""
    pointers, attached = [], []
    for var in names:
        found = _pointers_from_var(variables, var, False)
        labels = _label_values(variables, spec.input_labels.get(var))
        pointers += found
        if labels:
            attached += [(p.name, labels) for p in found]
    return pointers, attached


def check_labels_before(run, spec, info, args, kwargs):
    """The labels guard, before the body runs (docs/LABELS.md): the inputs that arguments name
    (and ``inputs=``) are known now. Only LabelsRetracted leaves this function."""
    if not spec.input_vars and not spec.inputs:
        return
    try:
        import inspect

        try:
            bound = inspect.signature(info.func).bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
        except (TypeError, ValueError):
            arguments = {}  # the call itself will raise
        ready = [
            var
            for var in spec.input_vars
            if var in arguments
            and all(
                n in arguments
                for n in _names_of(spec.input_labels.get(var))
            )
        ]
        pointers, attached = _inputs_with_labels(spec, arguments, ready)
        pointers += [_events.Pointer(name) for name in spec.inputs]
        _labels.check_inputs(pointers, attached, spec.staleness_threshold, LOGGER)
        if run is not None:
            run.checked_vars.update(ready)
    except _labels.LabelsRetracted:
        raise
    except Exception as bug:
        report_bug(bug)


def _names_of(label_vars):
    if label_vars is None:
        return []
    return list(label_vars) if isinstance(label_vars, (list, tuple)) else [label_vars]


def _pointers_from_kwarg(local_vars, key, val, endpoint):
    if key not in local_vars or val not in local_vars:
        raise ValueError("Variables (%s, %s) not in current stack frame." % (key, val))
    names = local_vars[key]
    if names is None:
        return []
    if isinstance(names, (list, tuple)):
        values = local_vars[val]
        if not isinstance(values, (list, tuple)) or len(values) != len(names):
            raise ValueError(
                'Value "%s" does not have the same length as the key "%s."' % (val, key)
            )
    # The values themselves are not logged: the workspace log records names and file contents.
    return _pointers_from_value(names, endpoint)


def logged_call(component, info, spec, args, kwargs, job_facets=None, before=None):
    """Calls a decorated function as one logged run. Returns (result, locals at return).

    The user's exception propagates unchanged after a FAIL event; so does mltrace's ValueError
    for a variable that is not in the frame.
    """
    info.resolve()
    run = None
    try:
        run = DecoratedRun(component, info, spec)
    except Exception as bug:
        report_bug(bug)
    # Before START: a run stopped by a retracted label never began (mltrace checks after the body).
    check_labels_before(run, spec, info, args, kwargs)
    try:
        if run is not None:
            run.begin(args, kwargs, job_facets)
    except Exception as bug:
        report_bug(bug)
    try:
        if before is not None:
            before()
        with _Current(run):
            local_vars, result = call_capturing_locals(info.code, info.func, args, kwargs)
    except BaseException as error:
        if run is not None:
            run.fail(error)
        raise
    if run is not None:
        try:
            run.finish(local_vars)
        except (ValueError, _labels.LabelsRetracted) as error:
            run.fail(error)
            raise
    return result, local_vars


def call_capturing_locals(code, func, args, kwargs):
    """Calls func and returns (its local variables at return, its result).

    The frame is taken at the "call" event of ``code`` by a profile hook (a trace hook when a
    profiler is already installed, chained to it), removed at once: debuggers, coverage and
    profilers keep working. Locals are read after the call: their values at return time.
    """
    if code is None:
        return {}, func(*args, **kwargs)
    if sys.getprofile() is None:
        set_hook, get_hook = sys.setprofile, sys.getprofile
    else:
        set_hook, get_hook = sys.settrace, sys.gettrace
    previous = get_hook()
    frames = []

    def hook(frame, event, arg):
        if event == "call" and frame.f_code is code and not frames:
            frames.append(frame)
            set_hook(previous)
        if previous is not None:
            return previous(frame, event, arg)
        return None

    set_hook(hook)
    try:
        result = func(*args, **kwargs)
    finally:
        if get_hook() is hook:
            set_hook(previous)
    if not frames:
        return {}, result
    try:
        return dict(frames[0].f_locals), result
    finally:
        del frames[:]


# ----------------------------------------------------------------------------------------------
# The run in progress, for mltrace.save() and mltrace.load() called inside a decorated function

_current = threading.local()


def current_run():
    """The innermost decorated run in progress on this thread, or None."""
    stack = getattr(_current, "stack", None)
    return stack[-1] if stack else None


class _Current(object):
    """Makes a run the current one while its function runs (mltrace injected frame locals
    instead, which CPython does not keep for functions)."""

    def __init__(self, run):
        self.run = run

    def __enter__(self):
        if self.run is not None:
            if not hasattr(_current, "stack"):
                _current.stack = []
            _current.stack.append(self.run)

    def __exit__(self, *exc):
        if self.run is not None and getattr(_current, "stack", None):
            _current.stack.pop()
        return False
