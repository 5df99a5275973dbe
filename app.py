"""Command line entry point: `python app.py [web | chat | ask | ingest]` (web is the default).

Thin on purpose: every command goes through engine.Engine or the ingest/index
packages; nothing here knows how answers are made.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from settings import Settings, load_settings


class CliError(Exception):
    """A user-facing failure: printed as one line, exit code 2."""


def _engine(settings: Settings, progress: bool = True):  # noqa: ANN202 - heavy import kept lazy
    from engine.engine import Engine

    return Engine(settings, progress=progress)


def format_human(answer) -> str:  # noqa: ANN001 - engine.types.Answer, imported lazily
    """The answer, then its numbered citations with their exact quotes."""
    lines = [answer.answer, ""]
    for c in answer.citations:
        place = ", ".join(part for part in (f"page {c.page}" if c.page else "", c.section) if part)
        where = f" ({place})" if place else ""
        lines.append(f'[{c.marker}] {c.passage_id}{where}, chars {c.start}-{c.end}:\n    "{c.quote}"')
    if answer.refused and answer.closest:
        lines.append(f'Closest passage: {answer.closest.passage_id}\n    "{answer.closest.quote}"')
    if answer.notice:
        lines.append(f"note: {answer.notice}")
    lines.append(f"({answer.backend}, {answer.timings_ms.get('total', 0):.0f} ms)")
    return "\n".join(lines)


def load_history(path: str | None) -> list:  # list[engine.types.Turn], imported lazily
    """Prior turns from a JSON file: a list of {"question", "answer"?, "standalone_question"?}."""
    from engine.types import Turn

    if not path:
        return []
    try:
        turns = json.loads(Path(path).read_text(encoding="utf-8"))
        return [
            Turn(str(t["question"]), str(t.get("answer", "")), str(t.get("standalone_question", "")))
            for t in turns
        ]
    except OSError as exc:
        raise CliError(f"cannot read history file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise CliError(f"history file {path} is not UTF-8 text") from exc
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CliError(
            f"history file {path} must be a JSON list of objects with a \"question\" (and \"answer\"): {exc}"
        ) from exc


def stream_human(engine, question: str, history: list, documents: list[str] | None = None) -> object:  # noqa: ANN001
    """Print the unverified draft as it arrives, then replace it with the verified answer.

    On a terminal the draft lines are erased before the verified answer is printed; in a
    pipe the draft stays, labelled, followed by the verified answer.
    """
    tty = sys.stdout.isatty()
    drafted = "(draft, unverified) "
    print(drafted, end="", flush=True)
    for piece in engine.stream(question, history, documents):
        if isinstance(piece, str):
            drafted += piece
            print(piece, end="", flush=True)
            continue
        width = max(shutil.get_terminal_size().columns, 1)
        if tty:  # erase the draft's lines (wrapped at the terminal width), then print in its place
            rows = sum(len(line) // width + 1 for line in drafted.split("\n"))
            print("\r\x1b[2K" + "\x1b[1A\x1b[2K" * (rows - 1), end="")
        else:
            print("\n--- verified ---")
        return piece
    raise RuntimeError("the engine ended without an answer")


def cmd_ask(
    settings: Settings,
    questions: list[str],
    as_json: bool,
    history_file: str | None = None,
    conversation: bool = False,
    stream: bool = False,
    documents: list[str] | None = None,
) -> int:
    """Answer one question, or every stdin line when none is given (models loaded once).

    With a history file the question is a follow-up of those turns; with --conversation each
    stdin line is a follow-up of the lines answered before it.
    """
    from engine.question import QuestionError, check_question
    from engine.types import Turn

    history = load_history(history_file)
    batch = not questions
    if batch:  # undecodable bytes become surrogates that check_question refuses, line by line
        sys.stdin.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
    source: Iterable[str] = sys.stdin if batch else [" ".join(questions)]
    if not batch:
        try:  # a bad question fails fast, before any model or index is loaded
            check_question(" ".join(questions), settings.max_question_chars)
        except QuestionError as exc:
            raise CliError(str(exc)) from exc
    engine = _engine(settings, progress=not as_json)
    scope = _scope(engine, documents)
    failures = 0
    for line in source:
        if batch and not line.strip():
            continue
        try:
            if stream and not as_json:
                answer = stream_human(engine, line, history, scope)
            else:
                answer = engine.answer(line, history, scope)
        except QuestionError as exc:
            if not batch:
                raise CliError(str(exc)) from exc
            failures += 1
            print(
                json.dumps({"question": line.strip()[:200], "error": str(exc)}, ensure_ascii=False),
                flush=True,
            )
            continue
        print(
            json.dumps(answer.to_dict(), ensure_ascii=False) if as_json else format_human(answer), flush=True
        )
        if conversation:
            history.append(Turn(answer.question, answer.answer, answer.standalone_question))
    return 1 if failures else 0


def _scope(engine, names: list[str] | None) -> list[str] | None:  # noqa: ANN001 - engine.engine.Engine
    """Document ids for --doc names (a file name, its stem or the id itself); None: every document."""
    if not names:
        return None
    from ingest.loader import slugify

    known = {p.doc for p in engine.index.passages.values()}
    slugs = [slugify(Path(name).stem) if Path(name).suffix else slugify(name) for name in names]
    unknown = [name for name, slug in zip(names, slugs, strict=True) if slug not in known]
    if unknown:
        raise CliError(f"no such document: {', '.join(unknown)} (documents: {', '.join(sorted(known))})")
    return slugs


def _print_report(report) -> int:  # noqa: ANN001 - index.build.BuildReport, imported lazily
    """Print what the index update did; 1 when it could not be done (the last complete index serves)."""
    if report.stale:
        print(
            f"error: the index could not be updated ({report.stale}); questions are answered from the last "
            "complete index, and the next start tries again",
            file=sys.stderr,
        )
        return 1
    for duplicate, original in report.duplicates:
        print(f"duplicate: {duplicate} has the same content as {original}; not indexed")
    print(
        f"index: {len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
        f"{len(report.repaired)} repaired, {len(report.unchanged)} unchanged, "
        f"{report.embedded} passages embedded"
    )
    return 0


def cmd_remove(settings: Settings, names: list[str]) -> int:
    """Delete documents from the library, then drop their passages from the index."""
    from index.build import open_index
    from ingest.library import remove_documents
    from ingest.loader import IngestError

    try:
        removed = remove_documents(names, settings.data_dir)
    except IngestError as exc:
        raise CliError(str(exc)) from exc
    for path in removed:
        print(f"removed: {path}")
    return _print_report(open_index(settings, progress=True).report)


def cmd_ingest(settings: Settings, paths: list[str]) -> int:
    """Copy documents into the library (all or nothing), then bring the index up to date."""
    from index.build import open_index
    from ingest.library import add_documents
    from ingest.loader import IngestError

    try:
        results = add_documents([Path(p) for p in paths], settings.data_dir)
    except IngestError as exc:
        raise CliError(str(exc)) from exc
    for path, status in results:
        print(f"{status}: {path}")
    return _print_report(open_index(settings, progress=True).report)


def cmd_chat(settings: Settings) -> int:
    """A terminal chat: one question per line, answers with citations."""
    from engine.question import QuestionError

    engine = _engine(settings)
    print("Ask about the text (empty line or Ctrl-D to quit).", flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        try:
            print(format_human(engine.answer(line)), "\n", flush=True)
        except QuestionError as exc:
            print(f"error: {exc}", flush=True)
    return 0


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def cmd_web(settings: Settings, host: str, port: int | None, allow_remote: bool, password: str | None) -> int:
    """The web chat (ui/web.py). Any address but loopback needs --allow-remote and a password."""
    password = password or os.environ.get("APP_PASSWORD", "")
    if host not in LOOPBACK:
        if not allow_remote:
            raise CliError(f"--host {host} opens the chat to other machines: needs --allow-remote")
        if not password:
            raise CliError("a non-loopback --host needs a password: --password or APP_PASSWORD")
    try:
        port = port or int(os.environ.get("PORT") or 7860)
    except ValueError as exc:
        raise CliError(f"PORT must be a number, not {os.environ.get('PORT')!r}") from exc
    from ui.web import serve

    serve(settings, host, port, password)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app.py", description="Grounded answers, with exact citations.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens to stderr")
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer a question (or one per stdin line)")
    ask.add_argument("question", nargs="*", help="the question; omit it to read questions from stdin")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--stream", action="store_true", help="show the draft as it is written (human output)")
    ask.add_argument("--history", metavar="FILE", help="JSON list of prior turns: [{question, answer}]")
    ask.add_argument(
        "--conversation", action="store_true", help="stdin lines are one conversation: each a follow-up"
    )
    ask.add_argument(
        "--doc", action="append", metavar="NAME", help="answer from this document only (repeatable)"
    )
    ingest = sub.add_parser("ingest", help="add or update documents (.txt, .md, .html, .pdf, .docx)")
    ingest.add_argument("paths", nargs="+")
    remove = sub.add_parser("remove", help="delete documents from the library and the index")
    remove.add_argument("names", nargs="+", help="file name or document id")
    sub.add_parser("chat", help="interactive terminal chat")
    web = sub.add_parser("web", help="the web chat on http://127.0.0.1:7860 (the default)")
    web.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    web.add_argument("--port", type=int, help="port (default: env PORT, else 7860)")
    web.add_argument("--allow-remote", action="store_true", help="allow a --host other than loopback")
    web.add_argument("--password", help="password for the chat (prefer env APP_PASSWORD: argv is visible)")
    parser.set_defaults(host="127.0.0.1", port=None, allow_remote=False, password=None)  # no command: web
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    settings = load_settings()
    try:
        if args.command == "ask":
            return cmd_ask(
                settings, args.question, args.json, args.history, args.conversation, args.stream, args.doc
            )
        if args.command == "ingest":
            return cmd_ingest(settings, args.paths)
        if args.command == "remove":
            return cmd_remove(settings, args.names)
        if args.command == "chat":
            return cmd_chat(settings)
        return cmd_web(settings, args.host, args.port, args.allow_remote, args.password)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: nothing left to say
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        logging.getLogger("app").debug("unexpected failure", exc_info=True)
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
