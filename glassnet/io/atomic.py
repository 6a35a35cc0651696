"""Atomic file writes: a crash never leaves a half-written file at the target.

The bytes go to a temporary file in the target's directory, which is flushed
and fsync'ed, then renamed over the target with ``os.replace`` (atomic on
POSIX and Windows); the directory is fsync'ed too, so the rename survives a
power loss. Until the rename the previous file is untouched; after it the new
file is complete. A crash in between can leave a stray ``.NAME.XXXXXXXX.tmp``
next to the target (safe to delete), never a partial file at the target.
"""
import os
import secrets
import stat


def atomic_write(path, data):
    """Write ``data`` to ``path`` atomically and durably.

    ``data`` is bytes-like, or a callable ``writer(f)`` that writes to the
    binary file object ``f``. If it raises, the target is left as it was and
    the temporary file is removed. A symlink at ``path`` is written through
    (its target is replaced); a replaced file keeps its permission bits.
    """
    path = os.fspath(path)
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write {path}: directory {directory} does not exist")
    fd, tmp = _create_temp(target)
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _keep_mode(target, tmp)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(directory)


def _create_temp(target):
    """Open a new, exclusive temporary file next to ``target`` (umask applies)."""
    directory, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue


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
