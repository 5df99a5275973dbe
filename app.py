"""Command line entry point: `python app.py [chat | ask | ingest]`.

Thin on purpose: every command goes through engine.Engine or the ingest/index
packages; nothing here knows how answers are made.
"""

from __future__ import annotations

import argparse
import json
import logging
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
        where = f" ({c.section})" if c.section else ""
        lines.append(f'[{c.marker}] {c.passage_id}{where}, chars {c.start}-{c.end}:\n    "{c.quote}"')
    if answer.refused and answer.closest:
        lines.append(f'Closest passage: {answer.closest.passage_id}\n    "{answer.closest.quote}"')
    lines.append(f"({answer.backend}, {answer.timings_ms.get('total', 0):.0f} ms)")
    return "\n".join(lines)


def cmd_ask(settings: Settings, questions: list[str], as_json: bool) -> int:
    """Answer one question, or every stdin line when none is given (models loaded once)."""
    from engine.question import QuestionError, check_question

    batch = not questions
    source: Iterable[str] = sys.stdin if batch else [" ".join(questions)]
    if not batch:
        try:  # a bad question fails fast, before any model or index is loaded
            check_question(" ".join(questions), settings.max_question_chars)
        except QuestionError as exc:
            raise CliError(str(exc)) from exc
    engine = _engine(settings, progress=not as_json)
    failures = 0
    for line in source:
        if batch and not line.strip():
            continue
        try:
            answer = engine.answer(line)
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
    return 1 if failures else 0


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
    report = open_index(settings, progress=True).report
    print(
        f"index: {len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
        f"{len(report.unchanged)} unchanged, {report.embedded} passages embedded"
    )
    return 0


def cmd_chat(settings: Settings) -> int:
    """A terminal chat until the web UI lands: one question per line, answers with citations."""
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app.py", description="Grounded answers, with exact citations.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens to stderr")
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer a question (or one per stdin line)")
    ask.add_argument("question", nargs="*", help="the question; omit it to read questions from stdin")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ingest = sub.add_parser("ingest", help="add or update documents (.txt, .md)")
    ingest.add_argument("paths", nargs="+")
    sub.add_parser("chat", help="interactive terminal chat (the default)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    settings = load_settings()
    try:
        if args.command == "ask":
            return cmd_ask(settings, args.question, args.json)
        if args.command == "ingest":
            return cmd_ingest(settings, args.paths)
        return cmd_chat(settings)
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
