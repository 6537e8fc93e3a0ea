"""mltrace's client API, logging to the workspace's ``.mltrace/events`` instead of a server.

Same names, parameters and semantics as loglabs/mltrace's client, except where docs/EVENTS.md
says otherwise: there is no database, so queries live in the VS Code extension and its CLI.
"""

import functools
import json
import os

from mltrace import _events, _git, _labels, _pointers, _runs, _store, _team
from mltrace.entities import Component, ComponentRun, IOPointer  # noqa: F401 (mltrace.client has them)

DEFAULT_STALENESS = _runs.DEFAULT_STALENESS

_db_uri = os.environ.get("DB_URI")


# ------------------------------------------------------------------ store ------------------------


def set_store_dir(path):
    """Logs to ``path`` (a ``.mltrace`` folder) from now on; its parent is the workspace root."""
    _store.set_store_dir(path)


def get_store_dir():
    return _store.location().store_dir


def _database_ignored(what):
    _store.warn_once(
        "db",
        "mltrace for VS Code logs to the workspace store %s; %s is accepted and ignored."
        % (_store.location().store_dir, what),
    )


def set_db_uri(uri):
    """Names the team store (PostgreSQL): recorded, without its password, for ``mltrace sync`` and
    the extension. Events are still written to the workspace store first (docs/TEAM.md)."""
    global _db_uri
    _db_uri = uri
    _team.record(uri)


def get_db_uri():
    return _db_uri


def set_address(address):
    """Accepted for compatibility: events go to the workspace store, never to a server."""
    _database_ignored("set_address()")


def clean_db():
    raise NotImplementedError(
        "mltrace for VS Code keeps no database: delete the .mltrace folder to start over."
    )


# ------------------------------------------------------------------ components -------------------


def create_component(name, description, owner, tags=[]):
    """Records a component's description, owner and tags (a JobEvent). Calling it again is
    harmless: tags accumulate, the latest description and owner win."""
    try:
        _store.append(_events.job_event(name, _events.component_facets(description, owner, tags)))
    except Exception as bug:
        _runs.report_bug(bug)


def tag_component(component_name, tags):
    """Adds tags to a component."""
    try:
        _store.append(_events.job_event(component_name, _events.component_facets(tags=tags)))
    except Exception as bug:
        _runs.report_bug(bug)


# ------------------------------------------------------------------ runs -------------------------


def register(
    component_name,
    inputs=[],
    outputs=[],
    input_vars=[],
    output_vars=[],
    input_kwargs={},
    output_kwargs={},
    endpoint=False,
    staleness_threshold=DEFAULT_STALENESS,
    auto_log=False,
    params=[],
    metrics=[],
):
    """Decorator: every call of the function is a run of ``component_name``.

    ``inputs`` / ``outputs`` are pointer names; ``input_vars`` / ``output_vars`` name local
    variables whose values at return are pointers (a list gives several, None is skipped, a
    missing variable raises ValueError); ``input_kwargs`` / ``output_kwargs`` map a variable
    holding names to one holding values (checked, not logged). ``auto_log`` logs arguments that
    name existing files as inputs and locals that name files written during the run as outputs.
    ``staleness_threshold`` is in seconds (mltrace's default: 30 days). ``params`` / ``metrics``
    (ours) name local variables recorded at return as the run's parameters and metrics.
    """
    if callable(component_name) and not isinstance(component_name, str):
        func = component_name  # used bare: @register
        return register(func.__name__)(func)

    spec = _runs.CaptureSpec(
        inputs=inputs,
        outputs=outputs,
        input_vars=input_vars,
        output_vars=output_vars,
        input_kwargs=input_kwargs,
        output_kwargs=output_kwargs,
        endpoint=endpoint,
        staleness_threshold=staleness_threshold,
        auto_log=auto_log,
        params=params,
        metrics=metrics,
    )

    def actual_decorator(func):
        info = _runs.FunctionInfo(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return _runs.logged_call(component_name, info, spec, args, kwargs)[0]

        return wrapper

    return actual_decorator


def log_component_run(
    component_run, set_dependencies_from_inputs=True, staleness_threshold=DEFAULT_STALENESS
):
    """Logs a ComponentRun built by hand: START at its start time, then COMPLETE at its end.

    Raises RuntimeError, as mltrace does, when the run has no start or no end timestamp.
    ``set_dependencies_from_inputs=False`` tells the extension not to derive dependencies from
    the inputs; ``set_upstream`` names are logged as the run's declared upstream.
    """
    status = component_run.check_completeness()
    if not status["success"]:
        raise RuntimeError(status["msg"])
    try:
        _log_manual_run(component_run, set_dependencies_from_inputs, staleness_threshold)
    except Exception as bug:
        _runs.report_bug(bug)


def _log_manual_run(run, set_dependencies_from_inputs, staleness_threshold):
    # Logging the same object twice logs two runs, as mltrace does.
    run_id = _events.new_run_id() if run._logged else run.id
    run._logged = True
    log = _runs.RunLog(run.component_name, run_id, start=run.start_timestamp)
    git_hash, git_tags = run.git_hash, run.git_tags or []
    if git_hash is None:
        directory = os.path.dirname(os.path.abspath(run._source_file)) if run._source_file else None
        git_hash, auto_tags = _git.git_info(directory)
        git_tags = git_tags or auto_tags
    log.set_source(run._source_file, run._source_line, git_hash, git_tags, run.code_snapshot)
    log.set_staleness_threshold(staleness_threshold)
    log.values = run._values
    if not set_dependencies_from_inputs:
        log.run_fields["noInputDependencies"] = True
    if run.dependencies:
        namespace = _store.location().namespace
        log.run_facets["jobDependencies"] = _events.standard_facet(
            "jobDependencies",
            {"upstream": [{"job": {"namespace": namespace, "name": d}} for d in run.dependencies]},
        )
    inputs = [_pointer(p).take_fingerprint() for p in run.inputs]
    outputs = [_pointer(p).take_fingerprint() for p in run.outputs]
    _store.append(log.start_event(inputs))
    log.append_end(run.end_timestamp, inputs, outputs)
    for paragraph in run._notes:
        _store.append(_events.notes_event(run_id, run.component_name, paragraph))


def _pointer(io_pointer):
    return _events.Pointer(io_pointer.name, io_pointer._declared_type)


def create_random_ids(num_outputs=1):
    """Ids a client can use to name outputs."""
    return [_events.new_run_id() for _ in range(num_outputs)]


# ------------------------------------------------------------------ git --------------------------


def get_git_hash():
    """The commit checked out in the repository holding the current directory, or None."""
    return _git.git_info()[0]


def get_git_tags():
    """The tags of that commit, or None when there are none."""
    return _git.git_info()[1] or None


# ------------------------------------------------------------------ notes and flags --------------


def add_notes_to_component_run(component_run_id, notes):
    """Adds a paragraph of notes to a run, given its id or a unique prefix of it.

    Returns all the run's notes so far. Raises RuntimeError when a prefix matches no run or
    several; a full id that is not in the log yet is accepted (its component is "unknown").
    """
    run_id, job, namespace, previous = _find_run(str(component_run_id))
    try:
        _store.append(_events.notes_event(run_id, job or "unknown", str(notes), namespace))
    except Exception as bug:
        _runs.report_bug(bug)
    return "\n".join(previous + [str(notes)])


def _find_run(wanted):
    """Scans the event logs (read-only) for a run id or prefix: (id, job, namespace, notes)."""
    prefix = wanted.strip().lower()
    if not prefix:
        raise RuntimeError("A run id is needed to add notes.")
    matches = {}
    for raw in _store.event_lines():
        _match_line(raw, prefix, matches)
    if len(matches) > 1:
        raise RuntimeError(
            'Run id prefix "%s" matches %d runs: %s. Give more characters.'
            % (wanted, len(matches), ", ".join(sorted(m[:13] for m in matches)))
        )
    if matches:
        run_id, found = matches.popitem()
        notes = [text for _, text in sorted(found["notes"], key=lambda item: item[0])]
        return run_id, found["job"], found["namespace"], notes
    import uuid

    try:
        return str(uuid.UUID(prefix)), None, None, []
    except ValueError:
        raise RuntimeError('ComponentRun with ID "%s" not found.' % wanted)


def _match_line(raw, prefix, matches):
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    if prefix not in line.lower() or not line.endswith("\n"):
        return
    try:
        event = json.loads(line)
        run = event["run"]
        run_id = run["runId"]
    except (ValueError, KeyError, TypeError):
        return
    if not isinstance(run_id, str) or not run_id.lower().startswith(prefix):
        return
    found = matches.setdefault(run_id, {"job": None, "namespace": None, "notes": []})
    job = event.get("job") or {}
    if not found["job"] and isinstance(job.get("name"), str):
        found["job"] = job["name"]
        found["namespace"] = job.get("namespace")
    facet = (run.get("facets") or {}).get("mltrace_notes") or {}
    if isinstance(facet.get("notes"), str):
        found["notes"].append((str(event.get("eventTime", "")), facet["notes"]))


def flag_output_id(output_id):
    """Flags a pointer as erroneous, for review. Returns True."""
    return _set_flag(output_id, True)


def unflag_output_id(output_id):
    """Clears a pointer's flag. Returns False."""
    return _set_flag(output_id, False)


def _set_flag(output_id, flagged):
    try:
        name = _pointers.normalize(_pointers.pointer_name(output_id), _store.location().root)
        _store.append(_events.flag_event(_events.FILE_NAMESPACE, name, flagged))
    except Exception as bug:
        _runs.report_bug(bug)
    return flagged


def unflag_all():
    """Clears every pointer's flag."""
    try:
        _store.append(_events.flag_event("mltrace", "*", False))
    except Exception as bug:
        _runs.report_bug(bug)


# ------------------------------------------------------------------ queries ----------------------


def _query(name):
    def query(*_args, **_kwargs):
        raise NotImplementedError(
            "mltrace.%s() is not available in the logging shim: use the mltrace views in VS Code "
            "or the `mltrace` CLI (recent, history, inspect, trace, review)." % name
        )

    query.__name__ = name
    return query


get_history = _query("get_history")
get_component_information = _query("get_component_information")
get_component_run_information = _query("get_component_run_information")
get_recent_run_ids = _query("get_recent_run_ids")
get_io_pointer = _query("get_io_pointer")
backtrace = _query("backtrace")
web_trace = _query("web_trace")
review_flagged_outputs = _query("review_flagged_outputs")


# ------------------------------------------------------------------ labels (docs/LABELS.md) -------


def retract_label(label_id):
    """Records a deletion request for a label, now. Raises RuntimeError, as mltrace does, when no
    run attached the label (in the log this process can read)."""
    retract_labels([label_id])


def retract_labels(label_ids):
    """Records deletion requests for labels, now, in one event. Raises RuntimeError naming the
    labels no run attached; then nothing is recorded."""
    wanted = [str(label) for label in label_ids]
    recorded = [_labels.recorded(label) for label in wanted]
    known = _labels.state().known
    unknown = [w for w, r in zip(wanted, recorded) if r not in known]
    if unknown:
        raise RuntimeError("Label %s does not exist." % ", ".join(unknown))
    if recorded:
        _store.append(_labels.retraction_event(recorded))


def retrieve_retracted_labels():
    """The retracted labels, earliest first: (label, deletion_request_time) pairs, with the
    time as a naive local datetime like mltrace's. Labels recorded as keyed hashes come back hashed."""
    retracted = _labels.state().retracted
    return [
        _labels.RetractedLabel(label, _labels.local_time(ms))
        for label, ms in sorted(retracted.items(), key=lambda item: (item[1], item[0]))
    ]


def retrieve_io_pointers_for_label(label_id):
    """The pointers whose latest version holds data of the label (IOPointer objects). Raises
    RuntimeError, as mltrace does, for a label no run attached."""
    label = _labels.recorded(str(label_id))
    current = _labels.state()
    if label not in current.known:
        raise RuntimeError("Label %s does not exist." % label_id)
    return [IOPointer(name) for _, name in current.derived().pointers_with(label)]


def get_labels():
    """Every label attached or retracted in the log, sorted (keyed hashes stay hashed)."""
    return sorted(_labels.state().known)
# ------------------------------------------------------------------ tasks (mltrace's main branch)


def log_output(task_name, identifier, val):
    """Logs a model's output for ``identifier`` (a DatasetEvent; docs/EVENTS.md "mltrace_task")."""
    from mltrace import _tasks

    _tasks.log_values(task_name, "output", [identifier], [val])


def log_feedback(task_name, identifier, val):
    """Logs the true value for ``identifier``, joined with its output by ``compute_metric``."""
    from mltrace import _tasks

    _tasks.log_values(task_name, "feedback", [identifier], [val])


def compute_metric(task_name, metric_fn, window_size=None):
    """``metric_fn(y_true, y_pred)`` over the task's outputs that have feedback, joined by
    identifier, of those logged in the last ``window_size`` seconds (all when None). Returns its
    value (mltrace's client computes it and forgets to return it). ``metric_fn`` may also be the
    name of a supported metric."""
    from mltrace.entities.task import Task

    return Task(task_name).computeMetric(metric_fn, window_size=window_size)


# ------------------------------------------------------------------ save, load, components -------


def save(obj, pathname=None):
    """Saves an object (joblib when importable, else pickle) and returns its path; inside a
    decorated function the file is logged as an output of the run."""
    from mltrace import _artifacts

    return _artifacts.save(obj, pathname)


def load(pathname):
    """Loads an object saved with ``save``; inside a decorated function the file is logged as an
    input of the run."""
    from mltrace import _artifacts

    return _artifacts.load(pathname)


def get_components(tag="", owner=""):
    """The components with that tag and/or owner (all when neither is given), from the log."""
    from mltrace import _components

    return [
        Component(name=name, owner=owner_name, description=description, tags=tags)
        for name, description, owner_name, tags in _components.components(tag, owner)
    ]


def get_tags():
    """Every tag of any component, from the log."""
    from mltrace import _components

    return _components.tags()


def get_components_with_owner(owner):
    """mltrace 0.17's name for ``get_components(owner=owner)``."""
    return get_components(owner=owner)


def get_components_with_tag(tag):
    """mltrace 0.17's name for ``get_components(tag=tag)``."""
    return get_components(tag=tag)
