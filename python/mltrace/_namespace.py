"""The OpenLineage job namespace of the components logged under a root (docs/EVENTS.md "Names").

``MLTRACE_NAMESPACE``, else the repository's ``origin`` remote as host/path, else the root
folder's name, so that two clones of one project in differently named folders are one pipeline.
The remote is read from the repository's config file (no process), step for step as the Node
side does it (src/core/namespace.ts): both must give the same name for the same repository.
Nothing here raises: a config that cannot be read means no remote.
"""

import os
import re

DEFAULT_NAMESPACE = "mltrace"

_SECTION = re.compile(r'^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]')
_URL = re.compile(r"^url\s*=\s*(.*)$", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SCP = re.compile(r"^([^/:]{2,}):(.*)$", re.DOTALL)
_PORT = re.compile(r":\d*$")
_GIT_SUFFIX = re.compile(r"/?\.git$", re.IGNORECASE)


def component_namespace(root, environ=None):
    """The namespace for components logged under root."""
    environ = os.environ if environ is None else environ
    return (
        environ.get("MLTRACE_NAMESPACE")
        or remote_namespace(root)
        or os.path.basename(root)
        or DEFAULT_NAMESPACE
    )


def remote_namespace(root):
    """``origin``'s URL as host/path for the repository holding root; None without one."""
    try:
        config = git_config_file(root)
        if config is None:
            return None
        with open(config, encoding="utf-8", errors="replace") as handle:
            url = origin_url(handle.read())
        return None if url is None else normalize_remote_url(url)
    except Exception:  # logging never fails for want of a name: the folder's will do
        return None


def git_config_file(directory):
    """The config file of the repository holding directory (a linked worktree's: the main one's)."""
    directory = os.path.abspath(directory)
    while True:
        dot_git = os.path.join(directory, ".git")
        git_dir = None
        if os.path.isdir(dot_git):
            git_dir = dot_git
        elif os.path.isfile(dot_git):
            with open(dot_git, encoding="utf-8", errors="replace") as handle:
                content = handle.read().strip()
            if not content.startswith("gitdir:"):
                return None
            git_dir = os.path.normpath(os.path.join(directory, content[len("gitdir:") :].strip()))
        if git_dir is not None:
            try:
                with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as handle:
                    git_dir = os.path.normpath(os.path.join(git_dir, handle.read().strip()))
            except OSError:
                pass  # not a linked worktree: its own config
            return os.path.join(git_dir, "config")
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def origin_url(config):
    """The ``url`` of ``[remote "origin"]`` in git config text (the last one, as git reads it)."""
    in_origin = False
    url = None
    for raw in re.split(r"\r?\n", config):
        line = raw.strip()
        section = _SECTION.match(line)
        if section:
            subsection = section.group(2)
            in_origin = (
                section.group(1).lower() == "remote"
                and subsection is not None
                and re.sub(r"\\(.)", r"\1", subsection) == "origin"
            )
            continue
        if not in_origin:
            continue
        entry = _URL.match(line)
        if entry:
            url = _config_value(entry.group(1))
    return url


def _config_value(raw):
    """A config value: quotes removed, escapes read, a trailing comment dropped."""
    out = []
    quoted = False
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            i += 1
            nxt = raw[i]
            out.append("\n" if nxt == "n" else "\t" if nxt == "t" else nxt)
        elif c == '"':
            quoted = not quoted
        elif c in "#;" and not quoted:
            break
        else:
            out.append(c)
        i += 1
    return "".join(out).strip()


def normalize_remote_url(url):
    """A remote URL as ``host/path``: no scheme, user, password, port or ``.git``; None if empty.

    Everything up to the last ``@`` is dropped, so a password holding ``/`` or ``@`` never survives.
    """
    rest = url.strip().replace("\\", "/")
    host = ""
    scheme = _SCHEME.match(rest)
    if scheme:
        rest = rest[scheme.end() :]
    at = rest.rfind("@")
    if at >= 0:
        rest = rest[at + 1 :]
    if scheme:
        slash = rest.find("/")
        host, rest = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
        host = _PORT.sub("", host)
    else:
        scp = _SCP.match(rest)  # host:path; a one-letter host is a Windows drive (C:/repo)
        if scp:
            host, rest = scp.group(1), scp.group(2)
    repo_path = _GIT_SUFFIX.sub("", "/".join(part for part in rest.split("/") if part))
    name = "/".join(part for part in (host.lower(), repo_path) if part)
    return name or None
