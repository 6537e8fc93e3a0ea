"""A PEP 517 build backend with nothing to install: builds the `mltrace-vscode` wheel (and sdist)
with the standard library alone, so that `pip install python/` works with no package index.

The project's metadata is read from pyproject.toml's [project] table (tomllib on 3.11+, else a
small reader of the simple keys used there).
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "mltrace"


def _project():
    text = open(os.path.join(HERE, "pyproject.toml"), encoding="utf-8").read()
    try:
        import tomllib

        return tomllib.loads(text)["project"]
    except ImportError:
        project = {}
        section = None
        for line in text.splitlines():
            header = re.match(r"^\[([^\]]+)\]", line)
            if header:
                section = header.group(1)
                continue
            match = re.match(r'^(\w[\w-]*)\s*=\s*"([^"]*)"', line)
            if section == "project" and match:
                project[match.group(1)] = match.group(2)
        return project


def _names():
    project = _project()
    name = project["name"]
    return name, re.sub(r"[-_.]+", "_", name), project["version"], project


def _metadata():
    name, _, version, project = _names()
    lines = [
        "Metadata-Version: 2.1",
        "Name: %s" % name,
        "Version: %s" % version,
        "Summary: %s" % project.get("description", ""),
        "Requires-Python: %s" % project.get("requires-python", ">=3.8"),
        "License: Apache-2.0",
        "Provides-Extra: team",
        'Requires-Dist: psycopg>=3; extra == "team"',
        "Description-Content-Type: text/markdown",
        "",
        open(os.path.join(HERE, "README.md"), encoding="utf-8").read(),
    ]
    return "\n".join(lines)


def _package_files():
    root = os.path.join(HERE, PACKAGE)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for f in sorted(files):
            if f.endswith(".py") or f == "py.typed":
                full = os.path.join(folder, f)
                yield full, os.path.relpath(full, HERE).replace(os.sep, "/")


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _, dist, version, _ = _names()
    info = "%s-%s.dist-info" % (dist, version)
    os.makedirs(os.path.join(metadata_directory, info), exist_ok=True)
    with open(os.path.join(metadata_directory, info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    return info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _, dist, version, _ = _names()
    wheel_name = "%s-%s-py3-none-any.whl" % (dist, version)
    info = "%s-%s.dist-info" % (dist, version)
    record = []
    # Fixed timestamps: the same sources give the same wheel, byte for byte.
    stamp = (2020, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as wheel:

        def add(path, data):
            entry = zipfile.ZipInfo(path, stamp)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
            record.append(_record_line(path, data))

        for full, rel in _package_files():
            add(rel, open(full, "rb").read())
        add(info + "/METADATA", _metadata().encode("utf-8"))
        add(
            info + "/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: mltrace-vscode backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        record.append(info + "/RECORD,,")
        entry = zipfile.ZipInfo(info + "/RECORD", stamp)
        entry.external_attr = 0o644 << 16
        wheel.writestr(entry, "\n".join(record) + "\n")
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    name, dist, version, _ = _names()
    base = "%s-%s" % (dist, version)
    sdist_name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, sdist_name), "w:gz") as tar:
        files = [(os.path.join(HERE, f), f) for f in ("pyproject.toml", "README.md", "_build/backend.py")]
        files += list(_package_files())
        for full, rel in files:
            data = open(full, "rb").read()
            entry = tarfile.TarInfo("%s/%s" % (base, rel))
            entry.size = len(data)
            entry.mtime = 1577836800
            tar.addfile(entry, io.BytesIO(data))
        pkg_info = _metadata().encode("utf-8")
        entry = tarfile.TarInfo("%s/PKG-INFO" % base)
        entry.size = len(pkg_info)
        entry.mtime = 1577836800
        tar.addfile(entry, io.BytesIO(pkg_info))
    return sdist_name
