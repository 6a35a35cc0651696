"""``glassnet playground``: the local web app where a network trains in the
browser and the backward pass can be watched, number by number."""


def add_parser(subparsers):
    p = subparsers.add_parser(
        "playground",
        help="a local web page to train a network and watch backpropagation",
        description="Start the playground: a local web server (Starlette on uvicorn) and one "
        "page, TensorFlow Playground's controls with glassnet training the network "
        "and the backward pass shown step by step. It listens on 127.0.0.1 only; "
        "another address needs --allow-remote.",
    )
    p.add_argument(
        "--port",
        type=int,
        default=8000,
        help="port to listen on (default 8000; 0 picks a free one)",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; "
        "0.0.0.0 exposes the playground to your network, with --allow-remote)",
    )
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host that other machines can reach (there is no password: "
        "anyone who reaches it can use it)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another host name the page may be opened as (repeatable; this "
        "machine's own names and addresses are accepted already)",
    )
    p.add_argument("--open", action="store_true", help="open the page in a web browser")
    p.add_argument("--verbose", action="store_true", help="log every request")
    p.set_defaults(func=run)
    return p


def run(args):
    import sys

    if not 0 <= args.port <= 65535:
        print(
            f"glassnet playground: --port must be from 0 to 65535, got {args.port}", file=sys.stderr
        )
        return 2
    from ..playground.server import RemoteRefused, serve

    try:
        return serve(
            args.host,
            args.port,
            open_browser=args.open,
            verbose=args.verbose,
            allow_remote=args.allow_remote,
            allowed_hosts=args.allow_host,
        )
    except RemoteRefused as exc:
        print(f"glassnet playground: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"glassnet playground: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    except RuntimeError as exc:  # an installation without the page's files
        print(f"glassnet playground: {exc}", file=sys.stderr)
        return 1
