"""mltrace for VS Code: mltrace's logging API, writing OpenLineage events to ``.mltrace/events``.

No server, no database, no dependencies: put this folder on PYTHONPATH and ``import mltrace``.
"""

from mltrace._events import __version__
from mltrace._store import MltraceWarning
from mltrace.client import (
    add_notes_to_component_run,
    backtrace,
    clean_db,
    create_component,
    create_random_ids,
    flag_output_id,
    get_component_information,
    get_component_run_information,
    get_components_with_owner,
    get_components_with_tag,
    get_db_uri,
    get_git_hash,
    get_git_tags,
    get_history,
    get_io_pointer,
    get_recent_run_ids,
    get_store_dir,
    log_component_run,
    register,
    review_flagged_outputs,
    set_address,
    set_db_uri,
    set_store_dir,
    tag_component,
    unflag_all,
    unflag_output_id,
    web_trace,
)
from mltrace.entities import Component, ComponentRun, IOPointer, PointerTypeEnum, Test

# Labels and data deletion (docs/LABELS.md).
from mltrace.client import (  # noqa: E402
    get_labels,
    retract_label,
    retract_labels,
    retrieve_io_pointers_for_label,
    retrieve_retracted_labels,
)
# Tasks and production metrics, save/load and the component queries of mltrace's main branch.
from mltrace.client import compute_metric, get_components, get_tags, load, log_feedback, log_output, save
from mltrace.entities import Metric, Task, supported_sklearn_metrics

__all__ = [
    "Component",
    "ComponentRun",
    "IOPointer",
    "MltraceWarning",
    "PointerTypeEnum",
    "Test",
    "__version__",
    "add_notes_to_component_run",
    "backtrace",
    "clean_db",
    "create_component",
    "create_random_ids",
    "flag_output_id",
    "get_component_information",
    "get_component_run_information",
    "get_components_with_owner",
    "get_components_with_tag",
    "get_db_uri",
    "get_git_hash",
    "get_git_tags",
    "get_history",
    "get_io_pointer",
    "get_recent_run_ids",
    "get_store_dir",
    "log_component_run",
    "register",
    "review_flagged_outputs",
    "set_address",
    "set_db_uri",
    "set_store_dir",
    "tag_component",
    "unflag_all",
    "unflag_output_id",
    "web_trace",
    # Labels and data deletion (docs/LABELS.md).
    "get_labels",
    "retract_label",
    "retract_labels",
    "retrieve_io_pointers_for_label",
    "retrieve_retracted_labels",
    # tasks and production metrics
    "Metric",
    "Task",
    "compute_metric",
    "log_feedback",
    "log_output",
    "supported_sklearn_metrics",
    # save/load and the component queries
    "get_components",
    "get_tags",
    "load",
    "save",
]
