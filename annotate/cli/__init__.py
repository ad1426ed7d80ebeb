"""The ``annotate`` command line: a thin shell over the library.

Each command parses its arguments, calls one library function that returns data, prints
it and sets the exit code: 0 ok, 1 invalid data found, 2 usage or connection error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from annotate.cli.output import layer_names
from annotate.errors import AnnotateError

Handler = Callable[[argparse.Namespace], int]
LAYER_HELP = "comma-separated layers (default: all): entities,claims,event_dates"


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
    p.add_argument("corpus", type=Path, help="corpus folder (with manifest.jsonl) or JSONL")
    p.add_argument("--project", required=True, help="project title (created if missing)")
    p.add_argument("--layers", help=LAYER_HELP)
    p.add_argument("--predictions", type=Path, help="predictions JSONL to show as pre-annotations")
    p.add_argument("--batch-size", type=int, default=500)
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
    p.add_argument("-o", "--output", type=Path, required=True, help="export JSON to write")
    _connection_args(p)
    p.set_defaults(handler=_pull)

    p = sub.add_parser("validate", help="validate a pulled export")
    p.add_argument("export", type=Path)
    p.add_argument("--quarantine", type=Path, help="where to keep invalid annotations")
    _format_arg(p)
    p.set_defaults(handler=_validate)

    p = sub.add_parser("adjudicate", help="send disagreeing tasks back for review")
    p.add_argument("export", type=Path)
    p.add_argument("--project", required=True, help="review project to send the tasks to")
    _connection_args(p)
    p.set_defaults(handler=_adjudicate)


def _gold_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("agreement", help="inter-annotator agreement of an export")
    p.add_argument("export", type=Path)
    p.add_argument("--report", type=Path, help="also write a Markdown report with a chart")
    _format_arg(p)
    p.set_defaults(handler=_agreement)

    p = sub.add_parser("export", help="write the gold Hugging Face dataset")
    p.add_argument("export", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--adjudication", choices=["ground-truth", "majority"], default="majority")
    p.add_argument(
        "--review", type=Path, help="pulled review project: its submissions become the ground truth"
    )
    p.add_argument(
        "--splits",
        default=None,
        help="e.g. train=0.8,test=0.2 (default: test only "
        "under 50 documents, else train=0.8,validation=0.1,test=0.1)",
    )
    p.add_argument("--leaderboard", type=Path, help="leaderboard JSON to render in the card")
    p.add_argument("--force", action="store_true", help="replace a different existing dataset")
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="leave invalid annotations out (reported) instead of writing nothing",
    )
    p.add_argument("--name", default="annotate gold dataset", help="dataset name in the card")
    p.add_argument("--license", default="other", help="license id for the card, e.g. cc-by-4.0")
    p.add_argument("--card-notes", type=Path, help="Markdown file appended to the card")
    p.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="processes converting and adjudicating tasks (default: one per CPU for an "
        "export of 16 MB or more, else 1)",
    )
    p.set_defaults(handler=_export)


def _bench_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("bench", help="score an extractor against a gold dataset")
    p.add_argument("--gold", type=Path, required=True)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--predictions", type=Path)
    source.add_argument("--extractor", help="MODULE:FUNCTION taking a Document")
    p.add_argument("--split", default="test")
    p.add_argument("--output", type=Path, help="also write the report to this file")
    p.add_argument("--leaderboard", type=Path, help="append this run to a leaderboard JSON")
    _format_arg(p)
    p.set_defaults(handler=_bench)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except AnnotateError as exc:
        print(f"annotate {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"annotate {args.command}: interrupted; re-running is safe", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
