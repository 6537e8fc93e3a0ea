"""mltrace's ``save(obj, pathname=None)`` and ``load(pathname)``: objects on disk, logged as the
current run's output or input when called inside a decorated function (``@register``,
``Component.run``).

joblib is used when it can be imported (as mltrace does), pickle otherwise. Without a pathname,
mltrace names the file ``<component>/_<5 letters><YYYYmmddHHMMSS>.mlt`` under ``$SAVE_DIR`` or
``~/.mltrace``; here the default folder is ``<root>/mltrace-artifacts`` instead: a ``~/.mltrace``
folder would become the store of every workspace below the home folder (the store is the
nearest ``.mltrace`` above the current directory).
"""

import os
import random
import string
import time

from mltrace import _events, _runs, _store

DEFAULT_FOLDER = "mltrace-artifacts"


def _serializer():
    try:
        import joblib

        return joblib.dump, joblib.load
    except Exception:
        import pickle

        def dump(obj, path):
            with open(path, "wb") as handle:
                pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)

        def load(path):
            with open(path, "rb") as handle:
                return pickle.load(handle)

        return dump, load


def default_path(component=None):
    identifier = "".join(random.choice(string.ascii_lowercase) for _ in range(5))
    name = "_%s%s.mlt" % (identifier, time.strftime("%Y%m%d%H%M%S"))
    if component:
        name = os.path.join(component.lower().replace(" ", "_"), name)
    base = os.environ.get("SAVE_DIR") or os.path.join(_store.location().root, DEFAULT_FOLDER)
    return os.path.join(base, name)


def save(obj, pathname=None):
    run = _runs.current_run()
    if pathname is None:
        pathname = default_path(run.log.component if run is not None else None)
    pathname = os.fspath(pathname)
    folder = os.path.dirname(pathname)
    if folder:
        os.makedirs(folder, exist_ok=True)
    _serializer()[0](obj, pathname)
    _note(run, "saved", pathname)
    return pathname


def load(pathname):
    obj = _serializer()[1](os.fspath(pathname))
    _note(_runs.current_run(), "loaded", os.fspath(pathname))
    return obj


def _note(run, which, pathname):
    """Adds the file to the run in progress (fingerprinted when the run ends); never raises."""
    if run is None:
        return
    try:
        getattr(run, which).append(_events.Pointer(pathname))
    except Exception as bug:
        _runs.report_bug(bug)
