"""The ``annotate`` command line: a thin shell over the library.

Each command parses its arguments, calls one library function that returns data, prints
it and sets the exit code: 0 ok, 1 invalid data found, 2 usage or connection error, 130
when interrupted by Ctrl-C (SIGINT) and 143 when asked to stop (SIGTERM); an interrupted
command cleans up as it unwinds, so running it again is safe.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from annotate.cli.output import layer_names
from annotate.errors import AnnotateError
from annotate.records import LAYERS

Handler = Callable[[argparse.Namespace], int]
USAGE = 2  # the exit code of usage and connection errors
LAYER_HELP = f"comma-separated layers (default: all): {','.join(LAYERS)}"


def _connection_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        help="Label Studio URL (default: $LABEL_STUDIO_URL, else the local server of "
        "'annotate server start'); the API key comes from $LABEL_STUDIO_API_KEY",
    )


def _format_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text")


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _input_file(text: str) -> Path:
    """An argparse type: a file that exists (a missing one is a usage error, exit 2)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, expected a file")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return path


def _input_folder(text: str) -> Path:
    """An argparse type: a folder that exists."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text} is a file, expected a folder" if path.exists() else f"no such folder: {text}"
        )
    return path


def _input_path(text: str) -> Path:
    """An argparse type: a file or folder that exists."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file or folder: {text}")
    return path


def _share(text: str) -> float:
    """An argparse type: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}")
    return value


def _lazy(module: str, name: str) -> Handler:
    """A handler imported only when its command runs, so ``annotate config`` starts fast."""

    def run(args: argparse.Namespace) -> int:
        handler: Handler = getattr(importlib.import_module(f"annotate.cli.{module}"), name)
        return handler(args)

    return run


_server = _lazy("server", "server")
_team = _lazy("team", "team")
_status = _lazy("status", "status")
_push = _lazy("labelstudio", "push")
_pull = _lazy("labelstudio", "pull")
_validate = _lazy("labelstudio", "validate")
_agreement = _lazy("gold", "agreement")
_adjudicate = _lazy("review", "adjudicate")
_export = _lazy("gold", "export")
_bench = _lazy("bench", "bench")
_migrate = _lazy("migrate", "migrate")
_diff = _lazy("diff", "diff")


def _config(args: argparse.Namespace) -> int:
    from annotate.labelstudio.config import labeling_config
    from annotate.schema import SchemaSet

    print(labeling_config(SchemaSet(), layer_names(args.layers)), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="annotate",
        description="Build gold datasets of entities, claims and dated events with Label Studio.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _setup_commands(sub)
    _team_commands(sub)
    _labelstudio_commands(sub)
    _gold_commands(sub)
    _bench_command(sub)
    _migrate_command(sub)
    return parser


def _setup_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("config", help="print the Label Studio labeling config")
    p.add_argument("--layers", help=LAYER_HELP)
    p.set_defaults(handler=_config)

    p = sub.add_parser("server", help="start, stop or inspect the local Label Studio")
    p.add_argument("action", choices=["start", "stop", "status"])
    p.add_argument("--show-login", action="store_true", help="with status: print the admin login")
    p.add_argument(
        "--port",
        type=_positive,
        help="with start: port to use (default: the one of the last start when free, else "
        "a free one)",
    )
    p.add_argument(
        "--team",
        action="store_true",
        help="with start: the team server (PostgreSQL, gunicorn workers, invite-only signup)",
    )
    p.add_argument("--host", help="with --team: address to bind (default: 127.0.0.1)")
    p.add_argument("--workers", type=_positive, help="with --team: gunicorn workers (default 2)")
    p.add_argument(
        "--database",
        metavar="postgresql://USER:PASSWORD@HOST:PORT/NAME",
        help="with --team: an existing PostgreSQL database (default: a private cluster in "
        "the state folder); kept in a 0600 file, never printed",
    )
    _format_arg(p)
    p.set_defaults(handler=_server)


def _team_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("team", help="add annotator accounts, or list members and their work")
    p.add_argument("action", choices=["add", "list"])
    p.add_argument("emails", nargs="*", metavar="EMAIL", help="with add: accounts to make")
    p.add_argument("--show", action="store_true", help="with add: print each initial password once")
    p.add_argument(
        "--passwords",
        type=Path,
        help="with add: folder for the 0600 password files (default: .annotate/team)",
    )
    _connection_args(p)
    _format_arg(p)
    p.set_defaults(handler=_team)

    p = sub.add_parser("status", help="progress of a project: who did what, overlap, agreement")
    p.add_argument("--project", required=True)
    p.add_argument("--report", type=Path, help="also write a Markdown report with charts")
    _connection_args(p)
    _format_arg(p)
    p.set_defaults(handler=_status)


def _labelstudio_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("push", help="push a corpus to a Label Studio project")
    p.add_argument("corpus", type=_input_path, help="corpus folder (with manifest.jsonl) or JSONL")
    p.add_argument("--project", required=True, help="project title (created if missing)")
    p.add_argument("--layers", help=LAYER_HELP)
    p.add_argument(
        "--predictions", type=_input_file, help="predictions JSONL to show as pre-annotations"
    )
    p.add_argument("--batch-size", type=_positive, default=500)
    p.add_argument(
        "--overlap",
        type=_positive,
        help="annotators per task on the overlapping share (sets maximum_annotations)",
    )
    p.add_argument(
        "--overlap-share",
        type=_share,
        default=1.0,
        help="with --overlap: share of the tasks that get that many annotators, 0 to 1 "
        "(default 1: every task)",
    )
    _connection_args(p)
    p.set_defaults(handler=_push)

    p = sub.add_parser("pull", help="pull every task and annotation of a project")
    p.add_argument("--project", required=True)
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="export JSON to write; when it holds an earlier pull of the project, only the "
        "tasks changed since are fetched",
    )
    p.add_argument(
        "--full", action="store_true", help="fetch every task, even over an earlier pull"
    )
    _connection_args(p)
    p.set_defaults(handler=_pull)

    p = sub.add_parser("validate", help="validate a pulled export")
    p.add_argument("export", type=_input_file)
    p.add_argument("--quarantine", type=Path, help="where to keep invalid annotations")
    p.add_argument("--schemas", type=Path, help="folder of the schemas (default: the package's)")
    _format_arg(p)
    p.set_defaults(handler=_validate)

    p = sub.add_parser("adjudicate", help="send disagreeing tasks back for review")
    p.add_argument("export", type=_input_file)
    p.add_argument("--project", required=True, help="review project to send the tasks to")
    _connection_args(p)
    p.set_defaults(handler=_adjudicate)


def _gold_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("agreement", help="inter-annotator agreement of an export")
    p.add_argument("export", type=_input_file)
    p.add_argument("--report", type=Path, help="also write a Markdown report with a chart")
    _format_arg(p)
    p.set_defaults(handler=_agreement)

    p = sub.add_parser("export", help="write the gold Hugging Face dataset")
    p.add_argument("export", type=_input_file)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--adjudication", choices=["ground-truth", "majority"], default="majority")
    p.add_argument(
        "--review",
        type=_input_file,
        help="pulled review project: its submissions become the ground truth",
    )
    p.add_argument(
        "--splits",
        default=None,
        help="e.g. train=0.8,test=0.2 (default: test only "
        "under 50 documents, else train=0.8,validation=0.1,test=0.1)",
    )
    p.add_argument("--leaderboard", type=_input_file, help="leaderboard JSON to render in the card")
    p.add_argument("--force", action="store_true", help="replace a different existing dataset")
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="leave invalid annotations out (reported) instead of writing nothing",
    )
    p.add_argument("--name", default="annotate gold dataset", help="dataset name in the card")
    p.add_argument("--license", default="other", help="license id for the card, e.g. cc-by-4.0")
    p.add_argument("--card-notes", type=_input_file, help="Markdown file appended to the card")
    p.add_argument(
        "--previous",
        type=Path,
        help="the previous release (a gold folder): version the new one after it and list "
        "the changes in its card (default: version 1.0.0)",
    )
    p.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="processes converting and adjudicating tasks (default: one per CPU for an "
        "export of 16 MB or more, else 1)",
    )
    p.set_defaults(handler=_export)

    p = sub.add_parser("diff", help="what changed between two gold datasets (or exports)")
    p.add_argument("old", type=Path, help="gold dataset folder, or a pulled export")
    p.add_argument("new", type=Path, help="gold dataset folder, or a pulled export")
    p.add_argument("--adjudication", choices=["ground-truth", "majority"], default="majority")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    p.add_argument("--changelog", type=Path, help="also write the Markdown changelog here")
    p.set_defaults(handler=_diff)


def _bench_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("bench", help="score an extractor against a gold dataset")
    p.add_argument("--gold", type=_input_folder, required=True)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--predictions", type=_input_file)
    source.add_argument("--extractor", help="MODULE:FUNCTION taking a Document")
    source.add_argument(
        "--rescore", type=Path, help="LEADERBOARD: score its runs' kept predictions again"
    )
    p.add_argument("--old-gold", type=Path, help="with --rescore: the gold the runs were scored on")
    p.add_argument("--split", default="test")
    p.add_argument("--output", type=Path, help="also write the report to this file")
    p.add_argument("--leaderboard", type=Path, help="append this run to a leaderboard JSON")
    _format_arg(p)
    p.set_defaults(handler=_bench)


def _migrate_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("migrate", help="move a project, export or gold folder to changed schemas")
    p.add_argument(
        "source", nargs="?", type=Path, help="an export JSON or a gold folder to migrate offline"
    )
    p.add_argument("--project", help="title of the live project to migrate")
    p.add_argument("--plan", type=Path, help="JSON plan: renames, merges and dropped values")
    p.add_argument(
        "--schemas", type=Path, help="folder of the new schemas (default: the package's)"
    )
    p.add_argument("--apply", action="store_true", help="migrate (default: a dry run)")
    p.add_argument(
        "--record-dir", type=Path, default=Path("migrations"), help="default: migrations"
    )
    p.add_argument("--undo", type=Path, metavar="RECORD", help="restore a migrated project")
    p.add_argument(
        "-o", "--output", type=Path, help="offline: default EXPORT.migrated.json, GOLD_DIR.migrated"
    )
    _format_arg(p)
    _connection_args(p)
    p.set_defaults(handler=_migrate)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised wherever the program is, so that it unwinds as on Ctrl-C."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second request must not cut the cleanup
    raise Terminated


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """While running a command, SIGTERM interrupts it like SIGINT (from the main thread, and
    unless the caller made this process ignore SIGTERM)."""
    ignored = signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    if ignored or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        with _sigterm_interrupts():
            return handler(args)
    except AnnotateError as exc:
        print(f"annotate {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        print(f"annotate {args.command}: interrupted; re-running is safe", file=sys.stderr)
        return 128 + (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"annotate {args.command}: cannot use{where}: {exc.strerror or exc}", file=sys.stderr)
        return USAGE


if __name__ == "__main__":
    sys.exit(main())
