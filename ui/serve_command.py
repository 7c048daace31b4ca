"""`kazrag serve`: the Gradio chat in a browser.

    kazrag serve                                   bundled corpus (or the existing index)
    kazrag serve --corpus my-docs/ --port 8080     index my-docs/ first (reused if unchanged)
    kazrag serve --feedback votes.jsonl            where like/dislike votes are appended

The index is built or loaded before the server starts (progress on stderr), so the first
question is answered at once; the address is printed when the page is ready.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from kazrag.errors import ConfigError, KazragError
from kazrag.rag.config import Config

from .options import add_common, byte_count, config_from, corpus_paths, whole_count
from .progress import ProgressPrinter
from .uploads import ADMIN_PASSWORD_ENV, CorpusAccess

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 7860
EXIT_OK = 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="the Gradio chat in a browser",
        description="Build or load the index, then serve the chat: quoted, cited answers, "
        "a documents tab to add files, like/dislike feedback, and the /chat API.",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; 0.0.0.0 serves other machines too)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--feedback",
        metavar="PATH",
        help="JSON Lines file that like/dislike votes are appended to "
        "(default: feedback.jsonl in the user data dir)",
    )
    parser.add_argument(
        "--admin-password",
        metavar="PASSWORD",
        help="lets whoever gives it add and remove documents from the web when serving on "
        f"an address other than 127.0.0.1 (default: ${ADMIN_PASSWORD_ENV}, which keeps it out "
        "of the process list; without one such a server's corpus is read-only)",
    )
    parser.add_argument(
        "--max-sessions",
        type=whole_count,
        metavar="N",
        help=f"browser and API sessions whose state is kept (default {Config.max_sessions:,}; "
        "each REST call is one)",
    )
    parser.add_argument(
        "--max-upload-bytes",
        type=byte_count,
        metavar="N",
        help=f"largest file the web may upload, e.g. 20M "
        f"(default {Config.max_upload_bytes // 10**6}M)",
    )
    add_common(parser)
    parser.set_defaults(handler=cmd_serve)


def check_address(host: str, port: int) -> None:
    """Raise a user error unless `host:port` can be listened on right now."""
    if not 0 < port < 65536:
        raise ConfigError(f"--port must be between 1 and 65535, not {port}")
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        reason = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise ConfigError(
            f"cannot serve on {host}:{port}: {reason}; choose another --port (or --host)"
        ) from None


def cmd_serve(args: argparse.Namespace) -> int:
    stop_on_signals()  # while loading too: a kill then is "kazrag: interrupted"
    check_address(args.host, args.port)  # before minutes of loading, not after
    from kazrag.rag.engine import Kazrag

    from .app import build_app, launch_options

    config = config_from(args).with_(
        feedback_path=Path(args.feedback) if args.feedback else None,
        max_sessions=args.max_sessions,
        max_upload_bytes=args.max_upload_bytes,
    )
    access = CorpusAccess.serving_on(
        args.host, args.admin_password or os.environ.get(ADMIN_PASSWORD_ENV) or None
    )
    engine = Kazrag.open(config, corpus_paths(args), ProgressPrinter())
    demo = build_app(engine, config, access)
    try:
        _, url, _ = demo.launch(
            server_name=args.host,
            server_port=args.port,
            quiet=True,
            prevent_thread_lock=True,
            **launch_options(config),
        )
    except OSError as exc:  # taken meanwhile; Gradio's message names its own settings
        raise ConfigError(
            f"cannot serve on {args.host}:{args.port} ({exc}); choose another --port"
        ) from None
    stop = threading.Event()
    try:  # from here on, Ctrl+C or a kill (KeyboardInterrupt) stops serving, exit status 0
        print(f"kazrag: serving {len(engine.documents())} documents at {url}", flush=True)
        print(f"kazrag: {access.description}", file=sys.stderr, flush=True)
        print(
            f"kazrag: feedback goes to {config.resolved_feedback_path()}; Ctrl+C stops",
            file=sys.stderr,
            flush=True,
        )
        if config.reload_check_seconds > 0:
            threading.Thread(
                target=follow_new_versions,
                args=(engine, config.reload_check_seconds, stop),
                name="kazrag-reload",
                daemon=True,
            ).start()
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        demo.close()
    print("kazrag: stopped", file=sys.stderr, flush=True)
    return EXIT_OK


def stop_on_signals() -> None:
    """Make Ctrl+C (SIGINT) and `kill` (SIGTERM) both raise KeyboardInterrupt, which ends
    serve cleanly (exit status 0 once serving, the server closed). Installed explicitly: a
    process started in the background by a non-interactive shell inherits SIGINT ignored,
    and Python leaves an ignored signal so."""
    for stopping in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stopping, signal.default_int_handler)


def follow_new_versions(engine, every: float, stop: threading.Event) -> None:
    """Switch the chat to a version another process wrote (an `index add`, a second server
    on the same database), checking every `every` seconds. Questions keep being answered
    during the switch: each reads one engine snapshot. A check that fails (the database
    restarting) is said once and tried again."""
    failing = False
    while not stop.wait(every):
        try:
            if engine.reload_if_changed():
                version = engine.snapshot.version
                print(
                    f"kazrag: switched to index version {version.id} "
                    f"({len(engine.documents())} documents)",
                    file=sys.stderr,
                    flush=True,
                )
            failing = False
        except KazragError as exc:
            if not failing:
                print(f"kazrag: note: could not check for a new index: {exc}", file=sys.stderr)
            failing = True
