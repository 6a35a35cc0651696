"""Atomic file writes: a crash never leaves a half-written file at the target.

The bytes go to a temporary file in the target's directory, which is flushed
and fsync'ed, then renamed over the target with ``os.replace`` (atomic on
POSIX and Windows); the directory is fsync'ed too, so the rename survives a
power loss. Until the rename the previous file is untouched; after it the new
file is complete. A crash in between can leave a stray ``.NAME.XXXXXXXX.tmp``
next to the target, never a partial file at the target.

Such leftovers are removed by the next write to the same target. On POSIX
the writer holds an exclusive ``flock`` on its temporary file until the
rename; the lock dies with its process (even on SIGKILL), so a temporary
file that can be locked belongs to no live writer and is deleted, while a
concurrent writer's file is left alone. (Windows has no ``flock``: there the
leftovers stay, as before.)

``check_target(path)`` raises, before any work is done, the error a later
``atomic_write(path)`` would meet: missing folder, a file where a folder is
expected, a folder where the file should be, a folder that cannot be written.
"""

import os
import re
import secrets
import stat

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

_TEMP_TAIL = re.compile(r"[0-9a-f]{8}\.tmp")  # what follows ".NAME." in a temporary name


def atomic_write(path, data, *, by_name=False):
    """Write ``data`` to ``path`` atomically and durably.

    ``data`` is bytes-like, or a callable ``writer(f)`` that writes to the
    binary file object ``f``; with ``by_name=True``, a callable
    ``writer(temp_path)`` that writes the temporary file by its name (a library
    that opens files itself), while it stays open and locked here. If the
    writer raises, the target is left as it was and
    the temporary file is removed. A symlink at ``path`` is written through
    (its target is replaced); a replaced file keeps its permission bits.
    Temporary files left by interrupted writes to the same target are removed.
    """
    path = os.fspath(path)
    target = os.path.realpath(path)
    directory = _check_folder(path, target)
    remove_stale_temps(target)
    fd, tmp = _create_temp(target)
    try:
        with os.fdopen(fd, "wb") as f:
            if by_name:
                data(tmp)  # then f's fsync flushes the file, whoever wrote it
            elif callable(data):
                data(f)
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
            if fcntl is not None:  # rename while the lock still marks the file as live
                _rename(target, tmp)
        if fcntl is None:  # Windows cannot rename an open file
            _rename(target, tmp)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(directory)


def check_target(path, who="write"):
    """Raise now if ``atomic_write(path, ...)`` could not write ``path``:
    FileNotFoundError (no such folder), NotADirectoryError (the folder is a
    file), IsADirectoryError (``path`` is a folder) or PermissionError (the
    folder is not writable: a temporary file is created there and removed).
    ``who`` starts the message (``"--save"``, ``"ModelCheckpoint"``...)."""
    path = os.fspath(path)
    target = os.path.realpath(path)
    directory = _check_folder(path, target, who)
    try:
        fd, tmp = _create_temp(target)
    except OSError as exc:
        raise PermissionError(
            f"{who}: cannot write {path}: the folder {directory} is not "
            f"writable ({exc.strerror or exc})"
        ) from None
    os.close(fd)
    os.unlink(tmp)


def _check_folder(path, target, who=None):
    """The folder ``target`` goes in, after checking it is one and ``target`` is not."""
    directory = os.path.dirname(target)
    prefix = f"{who}: cannot write" if who else "cannot write"
    if os.path.isdir(target):
        raise IsADirectoryError(
            f"{prefix} {path}: it is a folder; expected a file path "
            f"such as {os.path.join(path, 'model.safetensors')}"
        )
    if not os.path.exists(directory):
        raise FileNotFoundError(
            f"{prefix} {path}: directory {directory} does not exist (create it first)"
        )
    if not os.path.isdir(directory):
        raise NotADirectoryError(f"{prefix} {path}: {directory} is a file, not a folder")
    return directory


def _rename(target, tmp):
    _keep_mode(target, tmp)
    os.replace(tmp, target)


def _create_temp(target):
    """Open a new, exclusive temporary file next to ``target`` (umask applies),
    locked for as long as it is open (POSIX)."""
    directory, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        if fcntl is None:
            return fd, tmp
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits only while a cleaner is looking at it
        try:
            if os.path.samestat(os.fstat(fd), os.lstat(tmp)):
                return fd, tmp
        except FileNotFoundError:
            pass
        os.close(fd)  # a cleaner took it for a leftover before we locked it: make another


def remove_stale_temps(target):
    """Delete the temporary files of interrupted writes to ``target`` (POSIX):
    regular files named ``.NAME.XXXXXXXX.tmp`` whose writer no longer holds
    their lock. Returns the paths removed."""
    if fcntl is None:
        return []
    directory, name = os.path.split(os.path.realpath(os.fspath(target)))
    prefix = f".{name}."
    try:
        names = [
            e.name
            for e in os.scandir(directory)
            if e.name.startswith(prefix) and _TEMP_TAIL.fullmatch(e.name[len(prefix) :])
        ]
    except OSError:
        return []
    removed = []
    for leftover in names:
        tmp = os.path.join(directory, leftover)
        if _remove_if_unlocked(tmp):
            removed.append(tmp)
    return removed


def _remove_if_unlocked(tmp):
    try:
        fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:  # gone already, unreadable, or a symlink: not ours to delete
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a live writer holds it
            return False
        if not os.path.samestat(os.fstat(fd), os.lstat(tmp)):
            return False
        os.unlink(tmp)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _keep_mode(target, tmp):
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return
    os.chmod(tmp, mode)


def _fsync_dir(directory):
    """Make the rename durable. Windows cannot open directories; some file
    systems refuse to fsync them: both are skipped."""
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
