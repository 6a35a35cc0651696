"""Atomic writes: a save that fails or is killed (SIGKILL, in a subprocess)
leaves the previous file intact and loadable, and never a partial file at
the target path."""

import os
import select
import signal
import subprocess
import sys

import numpy as np
import pytest

import glassnet
from glassnet.io import FormatError, atomic_write, load, save
from glassnet.io.atomic import check_target

REPO = os.path.dirname(os.path.dirname(os.path.abspath(glassnet.__file__)))


def test_writes_bytes_and_writer_output(tmp_path):
    path = tmp_path / "f.bin"
    atomic_write(path, b"first")
    assert path.read_bytes() == b"first"
    atomic_write(str(path), lambda f: (f.write(b"sec"), f.write(memoryview(b"ond"))))
    assert path.read_bytes() == b"second"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_a_writer_by_name_writes_the_locked_temporary_file(tmp_path):
    """by_name=True: for a library that opens the file itself (safetensors)."""
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")
    seen = []

    def writer(temp):
        seen.append(temp)
        assert os.path.dirname(temp) == str(tmp_path) and os.path.basename(temp).startswith(
            ".f.bin."
        )
        with open(temp, "wb") as f:
            f.write(b"written by name")

    atomic_write(path, writer, by_name=True)
    assert path.read_bytes() == b"written by name" and os.listdir(tmp_path) == ["f.bin"]

    def failing(temp):
        with open(temp, "wb") as f:
            f.write(b"half")
        raise RuntimeError("library failed")

    with pytest.raises(RuntimeError, match="library failed"):
        atomic_write(path, failing, by_name=True)
    assert path.read_bytes() == b"written by name" and os.listdir(tmp_path) == ["f.bin"]


def test_failing_writer_leaves_old_file_and_no_temp(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")

    def writer(f):
        f.write(b"half of the new")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        atomic_write(path, writer)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.bin"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_permissions_kept_on_replace_and_umask_on_create(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x")
    os.chmod(path, 0o640)
    atomic_write(path, b"y")
    assert os.stat(path).st_mode & 0o777 == 0o640
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.bin", b"z")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "new.bin").st_mode & 0o777 == 0o644


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_symlink_is_written_through(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "model.safetensors"
    target.write_bytes(b"old")
    link = tmp_path / "link.safetensors"
    link.symlink_to(target)
    atomic_write(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"


def test_missing_directory_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.*does not exist"):
        atomic_write(tmp_path / "nowhere" / "f.bin", b"x")


# ---- SIGKILL in the middle of a save ------------------------------------------
CHILD = r"""
import os, sys, time
import numpy as np
from glassnet.io import save

path, stage = sys.argv[1], sys.argv[2]

def pause():
    print("READY", flush=True)
    time.sleep(120)  # the parent SIGKILLs us here

def half_written(tensors, filename, metadata=None):
    # the safetensors library writes the temp file by its name: write it, cut it
    # to 8 MB of the 32 MB (what a kill mid-write leaves on disk), then wait
    real_save_file(tensors, filename, metadata=metadata)
    os.truncate(filename, 8 << 20)
    pause()

if stage == "mid-write":
    import safetensors.numpy
    real_save_file = safetensors.numpy.save_file
    safetensors.numpy.save_file = half_written
else:
    os.replace = lambda *a, **k: pause()
weights = {f"layer{i}.weight": np.full((1024, 1024), i, np.float32) for i in range(8)}
save({"model": weights, "epoch": 2, "history": {"loss": [0.5, 0.25]}}, path)
print("NOT KILLED", flush=True)
"""


def kill_during_save(path, stage):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), stage],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline() if ready else b""
        assert line == b"READY\n", f"child did not reach {stage}: {line!r} {proc.stderr.read()!r}"
        temps = [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
        assert len(temps) == 1 and temps[0].name.startswith(f".{path.name}.")
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    return temps[0]


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("stage", ["mid-write", "before-rename"])
def test_sigkill_during_save_keeps_the_previous_checkpoint(tmp_path, stage):
    path = tmp_path / "ck.safetensors"
    previous = {
        "model": {"w": np.arange(6, dtype=np.float32).reshape(2, 3)},
        "epoch": 1,
        "history": {"loss": [0.5]},
    }
    save(previous, path)
    before = path.read_bytes()

    temp = kill_during_save(path, stage)

    assert path.read_bytes() == before
    got = load(path)
    assert got["epoch"] == 1 and got["history"] == {"loss": [0.5]}
    assert np.array_equal(got["model"]["w"], previous["model"]["w"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, temp.name])
    if stage == "mid-write":  # the leftover is partial, and says so when loaded
        assert 0 < temp.stat().st_size < 32 << 20
        with pytest.raises(FormatError, match=f"^{temp}: .*(truncated|reach past)"):
            load(temp)
    else:  # complete but never renamed into place
        assert load(temp)["epoch"] == 2
    save({"epoch": 3}, path)  # the next save works, and removes the dead writer's leftover
    assert load(path) == {"epoch": 3}
    assert os.listdir(tmp_path) == [path.name]


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_sigkill_during_first_save_leaves_no_file_at_the_target(tmp_path):
    path = tmp_path / "ck.safetensors"
    kill_during_save(path, "mid-write")
    assert not path.exists()


@pytest.mark.skipif(os.name == "nt", reason="leftovers are found by flock, which is POSIX")
def test_a_write_removes_unlocked_leftovers_of_its_target_only(tmp_path):
    import fcntl

    path = tmp_path / "f.bin"
    dead = tmp_path / ".f.bin.0123abcd.tmp"  # an interrupted write: nobody holds it
    live = tmp_path / ".f.bin.89abcdef.tmp"  # a write under way elsewhere: locked
    others = [".g.bin.0123abcd.tmp", ".f.bin.xyz.tmp", ".f.bin.0123abcd.tmp.bak", "f.bin.tmp"]
    for p in [dead, live, *(tmp_path / n for n in others)]:
        p.write_bytes(b"partial")
    (tmp_path / ".f.bin.fedcba98.tmp").symlink_to(tmp_path / "f.bin.tmp")
    holder = open(live, "rb")
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        atomic_write(path, b"new")
        left = sorted(os.listdir(tmp_path))
    finally:
        holder.close()
    assert left == sorted(["f.bin", live.name, ".f.bin.fedcba98.tmp", *others])
    atomic_write(path, b"newer")  # the other writer died without renaming: now it goes
    assert not live.exists() and path.read_bytes() == b"newer"
    assert (tmp_path / "f.bin.tmp").read_bytes() == b"partial"  # the symlink's target stays


def test_check_target_names_what_is_wrong_before_any_work(tmp_path):
    check_target(tmp_path / "fine.st")
    assert os.listdir(tmp_path) == []  # the probe is gone
    with pytest.raises(FileNotFoundError, match="--save: cannot write .*missing.* does not exist"):
        check_target(tmp_path / "missing" / "w.st", "--save")
    with pytest.raises(IsADirectoryError, match="is a folder; expected a file path"):
        check_target(tmp_path, "--save")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(NotADirectoryError, match="file.txt is a file, not a folder"):
        check_target(tmp_path / "file.txt" / "w.st")
    with pytest.raises(IsADirectoryError, match="is a folder"):  # atomic_write, before writing
        atomic_write(tmp_path, b"x")


def unwritable_folder(tmp_path):
    """A folder this process cannot create files in (root ignores permission bits)."""
    if os.name != "nt" and os.geteuid() != 0:
        folder = tmp_path / "readonly"
        folder.mkdir()
        os.chmod(folder, 0o500)
        return folder
    if os.path.isdir("/sys"):  # sysfs refuses new files, even to root
        try:
            open("/sys/glassnet-probe", "wb").close()
        except OSError:
            return "/sys"
        os.unlink("/sys/glassnet-probe")
    pytest.skip("no folder here refuses writes")


def test_check_target_refuses_a_folder_that_cannot_be_written(tmp_path):
    folder = unwritable_folder(tmp_path)
    with pytest.raises(
        PermissionError, match=f"ModelCheckpoint: cannot write .*{folder} is not writable"
    ):
        check_target(os.path.join(folder, "w.st"), "ModelCheckpoint")
