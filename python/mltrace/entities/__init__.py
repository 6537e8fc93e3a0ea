"""mltrace's client-side entities (``from mltrace.entities import ComponentRun`` works as in mltrace)."""

from mltrace.entities.base_component import Component
from mltrace.entities.base_test import MLTraceError, Test
from mltrace.entities.component_run import ComponentRun
from mltrace.entities.io_pointer import IOPointer, PointerTypeEnum

__all__ = ["Component", "ComponentRun", "IOPointer", "MLTraceError", "PointerTypeEnum", "Test"]
