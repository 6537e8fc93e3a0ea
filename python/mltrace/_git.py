"""The commit and tags a run's code came from, through one ``git`` call (no GitPython).

Asked for every run, since HEAD moves in long-lived processes, but the answer is reused while
the files that could move HEAD or its tags (HEAD, the branch's ref, packed-refs, refs/tags) are
unchanged: a run then costs a few stat calls instead of a process. Skipped silently outside a
repository or when git is missing.
"""

import os

_git_missing = False
_cache = {}  # git dir -> (signature of the watched files, (hash, tags))


def git_info(directory=None):
    """``(commit hash or None, [tags pointing at HEAD])`` for the repository holding directory."""
    directory = os.path.abspath(directory or os.getcwd())
    if not os.path.isdir(directory):
        return None, []
    git_dir = _find_git_dir(directory)
    if git_dir is None and not os.environ.get("GIT_DIR"):
        return None, []
    watched = _watched_files(git_dir) if git_dir else None
    signature = _signature(watched) if watched else None
    if signature is not None:
        hit = _cache.get(git_dir)
        if hit is not None and hit[0] == signature:
            return hit[1][0], list(hit[1][1])
    result = _ask_git(directory)
    if signature is not None and result[0] is not None and _signature(watched) == signature:
        _cache[git_dir] = (signature, (result[0], tuple(result[1])))
    return result


def _ask_git(directory):
    out = _git(
        directory,
        [
            "-c",
            "log.showSignature=false",
            "log",
            "-1",
            "--format=%H%x00%D",
            "--decorate-refs=refs/tags/",
            "HEAD",
        ],
    )
    if out is None:
        # Git older than 2.16 has no --decorate-refs; a repository without commits has no HEAD.
        out = _git(directory, ["rev-parse", "--verify", "-q", "HEAD"])
        return ((out.strip() or None) if out else None), []
    sha, _, decorations = out.strip().partition("\x00")
    tags = [d[len("tag: ") :] for d in decorations.split(", ") if d.startswith("tag: ")]
    return (sha or None), tags


def _git(directory, args):
    global _git_missing
    if _git_missing:
        return None
    import subprocess  # only when there is a repository: keeps `import mltrace` light

    kwargs = {}
    if os.name == "nt":
        kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    try:
        done = subprocess.run(
            ["git"] + args,
            cwd=directory,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=10,
            **kwargs
        )
    except (FileNotFoundError, PermissionError):
        _git_missing = True
        return None
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def _find_git_dir(directory):
    """The git dir of the repository holding directory (following a worktree's .git file)."""
    while True:
        dot_git = os.path.join(directory, ".git")
        if os.path.isdir(dot_git):
            return dot_git
        if os.path.isfile(dot_git):
            try:
                with open(dot_git) as handle:
                    content = handle.read().strip()
            except OSError:
                return dot_git
            if content.startswith("gitdir:"):
                return os.path.normpath(os.path.join(directory, content[len("gitdir:") :].strip()))
            return dot_git
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _watched_files(git_dir):
    """Files whose change may move HEAD or its tags, or None when unsure (then git is asked)."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_COMMON_DIR") or not os.path.isdir(git_dir):
        return None
    try:
        common = git_dir
        commondir = os.path.join(git_dir, "commondir")
        if os.path.isfile(commondir):
            with open(commondir) as handle:
                common = os.path.normpath(os.path.join(git_dir, handle.read().strip()))
        if os.path.exists(os.path.join(common, "reftable")):
            return None  # refs are not plain files there
        head = os.path.join(git_dir, "HEAD")
        with open(head) as handle:
            target = handle.read().strip()
    except OSError:
        return None
    files = [head, os.path.join(common, "packed-refs"), os.path.join(common, "refs", "tags")]
    if target.startswith("ref:"):
        files.append(os.path.join(common, *target[len("ref:") :].strip().split("/")))
    return files


def _signature(files):
    signature = []
    for path in files:
        try:
            stat = os.stat(path)
            signature.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
        except OSError:
            signature.append(None)
    return tuple(signature)


def git_hash(directory=None):
    return git_info(directory)[0]
