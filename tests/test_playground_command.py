"""`glassnet playground`: the command starts the server on 127.0.0.1,
serves the page, and stops cleanly on Ctrl-C; bad arguments are explained."""

import argparse
import os
import signal
import socket
import subprocess
import sys
import urllib.request

from glassnet.cli import playground as playground_command

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
# the command as cli.py will wire it: a `playground` sub-command
MAIN = (
    "import argparse, sys\n"
    "from glassnet.cli import playground as pc\n"
    "p = argparse.ArgumentParser(prog='glassnet')\n"
    "pc.add_parser(p.add_subparsers(dest='command'))\n"
    "a = p.parse_args(sys.argv[1:])\n"
    "sys.exit(a.func(a))\n"
)


def parse(*argv):
    parser = argparse.ArgumentParser(prog="glassnet")
    playground_command.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["playground", *argv])


def test_the_options_and_their_defaults():
    a = parse()
    assert (a.port, a.host, a.open, a.allow_remote, a.allow_host) == (
        8000,
        "127.0.0.1",
        False,
        False,
        [],
    )
    assert a.func is playground_command.run
    a = parse(
        "--port",
        "9000",
        "--host",
        "0.0.0.0",
        "--open",
        "--allow-remote",
        "--allow-host",
        "lab.example",
        "--allow-host",
        "10.0.0.5",
    )
    assert (a.port, a.host, a.open, a.allow_remote, a.allow_host) == (
        9000,
        "0.0.0.0",
        True,
        True,
        ["lab.example", "10.0.0.5"],
    )


def test_a_bad_port_is_explained(capsys):
    assert playground_command.run(parse("--port", "70000")) == 2
    assert "--port must be from 0 to 65535" in capsys.readouterr().err


def test_a_busy_port_is_explained(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert playground_command.run(parse("--port", str(port))) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_the_command_serves_the_page_and_stops_on_ctrl_c():
    proc = subprocess.Popen(
        [sys.executable, "-c", MAIN, "playground", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("glassnet playground: http://127.0.0.1:"), line
        url = line.split()[2]
        with urllib.request.urlopen(url, timeout=20) as r:
            assert r.status == 200 and b"glassnet playground" in r.read()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
