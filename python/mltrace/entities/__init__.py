"""mltrace's client-side entities (``from mltrace.entities import ComponentRun`` works as in mltrace)."""

from mltrace.entities.base_component import Component
from mltrace.entities.base_test import MLTraceError, Test
from mltrace.entities.component_run import ComponentRun
from mltrace.entities.io_pointer import IOPointer, PointerTypeEnum
from mltrace.entities.metrics import Metric, supported_sklearn_metrics
from mltrace.entities.task import Task

__all__ = [
    "Component",
    "ComponentRun",
    "IOPointer",
    "MLTraceError",
    "Metric",
    "PointerTypeEnum",
    "Task",
    "Test",
    "supported_sklearn_metrics",
]
