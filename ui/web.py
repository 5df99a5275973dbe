"""The web chat (Gradio): streamed answers, clickable citations, sources with the quote highlighted.

Layout: the chat on the left, the source panel on the right, a Documents tab for the
library. The chat is the verified Answer rendered by ui/render.py; the model's draft is
shown while it is written and then replaced, never kept. A marker click travels from
the browser to Python through the source panel's `trigger` (see BRIDGE_JS), and the
panel is re-rendered for that citation.

Programmatic use: the endpoint `/ask` (gradio_client: `Client(url).predict(question,
top_k, history, api_name="/ask")`) returns the Answer as a dict (DESIGN.md section 7).
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from engine.question import QuestionError
from engine.types import Answer, Turn
from ingest.loader import SUPPORTED_SUFFIXES, IngestError
from settings import Settings
from ui import render
from ui.engines import Engines
from ui.export import conversation_markdown

log = logging.getLogger("ui")

EXAMPLES = [
    "By what year will broadband cover every village?",
    "When was the speech given?",
    "What principles must be upheld to reform the global internet governance system?",
    "Which city hosted the conference?",
]
# Concurrent answers: retrieval overlaps, each LLM serialises its own generation (it holds a lock).
ANSWER_CONCURRENCY = 10
THEME = gr.themes.Default(
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)
CSS_PATH = Path(__file__).with_name("style.css")

# Runs once per page in the source panel: any click on a marker (`cite c-T-N`), on "show in
# document" (`show-doc d-T-N`) or "back to sources" anywhere on the page becomes the panel's
# click event with {cite: key}. After a re-render, the focused card or quote scrolls into view.
BRIDGE_JS = """
window.__citeTrigger = trigger;
if (!window.__citeBridge) {
  window.__citeBridge = true;
  document.addEventListener('click', (event) => {
    const button = event.target.closest('button.cite, button.show-doc, button.back-to-sources');
    if (!button) return;
    const key = [...button.classList].find((c) => /^[cd]-\\d+-\\d+$/.test(c));
    if (!key) return;
    event.preventDefault();
    window.__citeTrigger('click', {cite: key});
  });
}
watch('value', () => {
  const focus = element.querySelector('#doc-focus, .source-card.focus');
  if (focus) focus.scrollIntoView({block: 'center'});
});
"""

TRACK_TQDM = gr.Progress(track_tqdm=True)  # the index build's tqdm bar drives the upload's progress
ChatMessages = list[dict[str, str]]


def _history(answers: Sequence[Answer]) -> list[Turn]:
    """The conversation so far, as the engine takes it (follow-ups are rewritten from it)."""
    return [Turn(a.question, a.answer, a.standalone_question) for a in answers]


def _messages(answers: Sequence[Answer]) -> ChatMessages:
    """The chat, rebuilt from the verified answers (the browser's copy is never read back)."""
    messages: ChatMessages = []
    for turn, answer in enumerate(answers):
        messages.append({"role": "user", "content": render.question_html(answer.question)})
        messages.append({"role": "assistant", "content": render.answer_html(answer, turn)})
    return messages


def _stream_answer(
    engines: Engines, question: str, answers: list[Answer], backend: str, top_k: int, scope: str = ""
) -> Iterator[tuple[Any, ...]]:
    """Outputs (chat, question box, answers, source panel, status) as the answer streams in.

    scope: a document slug the question is limited to; "" searches every document.
    """
    shown = _messages(answers) + [{"role": "user", "content": render.question_html(question)}]

    def pending(html: str) -> ChatMessages:
        return shown + [{"role": "assistant", "content": html}]

    yield pending(render.draft_html("")), "", answers, gr.skip(), gr.skip()
    draft = ""
    try:
        engine = engines.get(backend, int(top_k))
        for piece in engine.stream(question, history=_history(answers), documents=[scope] if scope else None):
            if isinstance(piece, Answer):
                answers = [*answers, piece]
                turn = len(answers) - 1
                first = piece.citations[0].marker if piece.citations else None
                panel = render.sources_html(piece, turn, focus=first)
                yield _messages(answers), "", answers, panel, render.status_html(piece)
                return
            draft += piece
            yield pending(render.draft_html(draft)), "", answers, gr.skip(), gr.skip()
    except QuestionError as exc:
        yield pending(render.error_html(str(exc))), question, answers, gr.skip(), ""


def _show_source(engines: Engines, answers: list[Answer], event: gr.EventData) -> Any:
    """The source panel for a clicked marker, or the whole document for "show in document"."""
    parsed = render.parse_key(getattr(event, "cite", ""))
    if parsed is None or parsed[1] >= len(answers):
        return gr.skip()
    kind, turn, marker = parsed
    answer = answers[turn]
    cited = render.citation(answer, marker)
    if cited is None:
        return gr.skip()
    if kind == "doc":
        found = engines.document_text(cited.doc)
        if found is not None:
            return render.document_html(found[0], found[1], cited, turn)
    return render.sources_html(answer, turn, focus=marker)


def _export(answers: list[Answer]) -> Any:
    """The conversation as a Markdown file to download."""
    if not answers:
        gr.Info("Nothing to export yet: ask a question first.")
        return gr.skip()
    path = Path(tempfile.mkdtemp(prefix="chat-export-")) / "conversation.md"
    path.write_text(conversation_markdown(answers), encoding="utf-8")
    return gr.File(value=str(path), visible=True)


def _add_documents(engines: Engines, files: list[str] | None, progress: gr.Progress) -> tuple[Any, ...]:
    """Upload handler: (document list, result or error, cleared upload box, scope choices).

    Errors change nothing."""
    if not files:
        return gr.skip(), render.ingest_error_html("choose one or more documents first"), gr.skip(), gr.skip()
    progress(0, desc="Checking files")
    try:
        results, report = engines.add([Path(f) for f in files])
    except IngestError as exc:
        return gr.skip(), render.ingest_error_html(str(exc)), None, gr.skip()
    summary = (
        f"Index: {len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
        f"{report.embedded} passages embedded. New questions use the updated library."
    )
    shown = [(path.name, status) for path, status in results]
    scope = gr.Dropdown(choices=engines.scopes())
    return render.documents_html(engines.documents()), render.ingest_html(shown, summary), None, scope


def _ask_api(engines: Engines) -> Callable[..., dict[str, object]]:
    """The `/ask` endpoint, closed over the shared engines."""

    def ask(
        question: str,
        top_k: int = 0,
        history: list[dict[str, str]] | None = None,
        documents: list[str] | None = None,
    ) -> dict[str, object]:
        """Answer `question` from the documents; the verified Answer as a dict (DESIGN.md section 7).

        top_k: passages searched for evidence (0: the server's setting). history: earlier
        turns, oldest first, each {"question", "answer", "standalone_question"} as earlier
        calls returned them, so follow-ups ("and when?") are understood. documents: document
        slugs (the part of a passage id before "#") to search; empty or None: all of them.
        """
        turns = [
            Turn(t.get("question", ""), t.get("answer", ""), t.get("standalone_question", ""))
            for t in history or []
        ]
        try:
            engine = engines.get(None, int(top_k) or None)
            return engine.answer(question, history=turns, documents=documents or None).to_dict()
        except QuestionError as exc:
            raise gr.Error(str(exc)) from exc

    return ask


def build(engines: Engines) -> gr.Blocks:
    """The Blocks app over shared engines (no server started)."""
    settings = engines.settings
    backends = engines.backends()
    with gr.Blocks(title="Grounded answers") as app:
        answers = gr.State([])
        gr.Markdown(
            "### Ask the documents\nEvery sentence of an answer is checked against the source. "
            "Click a marker like **[1]** to see the passage with the supporting words highlighted."
        )
        with gr.Tabs():
            with gr.Tab("Chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(
                            elem_id="chat",
                            render_markdown=False,  # our HTML, already escaped: no Markdown on document text
                            height=480,
                            feedback_options=None,
                            buttons=["copy"],
                            placeholder="Ask a question about the documents, or pick an example below.",
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                elem_id="question",
                                show_label=False,
                                placeholder="Ask a question…",
                                max_length=settings.max_question_chars,
                                scale=5,
                                autofocus=True,
                            )
                            send = gr.Button("Ask", variant="primary", elem_id="ask", scale=1)
                        gr.Examples(EXAMPLES, inputs=question, label="Examples")
                        with gr.Row():
                            new_chat = gr.Button("New chat", elem_id="new-chat", size="sm")
                            export = gr.Button("Export conversation (Markdown)", elem_id="export", size="sm")
                        export_file = gr.File(label="Conversation", visible=False, elem_id="export-file")
                        status = gr.HTML(elem_id="status")
                        with gr.Accordion("Settings", open=False):
                            backend = gr.Dropdown(
                                backends,
                                value=backends[0],
                                label="Model",
                                interactive=len(backends) > 1,
                                info="Configured with OPENAI_* settings (see README); keys are never shown.",
                            )
                            top_k = gr.Slider(1, 10, value=settings.top_k, step=1, label="Passages searched")
                        scope = gr.Dropdown(
                            engines.scopes(), value="", label="Search in", elem_id="scope", scale=1
                        )
                    with gr.Column(scale=2):
                        gr.Markdown("#### Sources")
                        sources = gr.HTML(
                            render.sources_html(None, 0),
                            js_on_load=BRIDGE_JS,
                            elem_id="sources",
                            max_height=640,  # long documents scroll inside the panel
                        )
            with gr.Tab("Documents", elem_id="documents-tab"):
                documents = gr.HTML(render.documents_html(engines.documents()), elem_id="documents")
                upload = gr.File(
                    label=f"Add documents ({', '.join(sorted(SUPPORTED_SUFFIXES))}; up to 5 MB each)",
                    file_count="multiple",
                    file_types=sorted(SUPPORTED_SUFFIXES),
                    type="filepath",
                    elem_id="upload",
                )
                add = gr.Button("Add to library", variant="primary", elem_id="add-documents")
                ingest_result = gr.HTML(elem_id="ingest-result")

        def respond(q: str, done: list[Answer], model: str, k: float, within: str) -> Iterator[Any]:
            yield from _stream_answer(engines, q, done, model, int(k), within or "")

        chat_io = dict(
            fn=respond,
            inputs=[question, answers, backend, top_k, scope],
            outputs=[chat, question, answers, sources, status],
            concurrency_limit=ANSWER_CONCURRENCY,
            concurrency_id="answer",
            api_visibility="private",
        )
        question.submit(**chat_io)  # type: ignore[arg-type]
        send.click(**chat_io)  # type: ignore[arg-type]
        def show_source(done: list[Answer], event: gr.EventData) -> Any:
            return _show_source(engines, done, event)

        sources.click(
            show_source,
            inputs=[answers],
            outputs=[sources],
            api_visibility="private",
            show_progress="hidden",
        )
        fresh = dict(
            fn=lambda: ([], "", [], render.sources_html(None, 0), "", gr.File(value=None, visible=False)),
            outputs=[chat, question, answers, sources, status, export_file],
            api_visibility="private",
        )
        new_chat.click(**fresh)  # type: ignore[arg-type]
        chat.clear(**fresh)  # type: ignore[arg-type]  # the chat's own trash button starts over too
        export.click(_export, inputs=[answers], outputs=[export_file], api_visibility="private")

        def add_documents(files: list[str] | None, progress: gr.Progress = TRACK_TQDM) -> Any:
            return _add_documents(engines, files, progress)

        add.click(
            add_documents,
            inputs=[upload],
            outputs=[documents, ingest_result, upload, scope],
            concurrency_limit=1,
            api_visibility="private",
        )
        gr.api(
            _ask_api(engines),
            api_name="ask",
            concurrency_limit=ANSWER_CONCURRENCY,
            concurrency_id="answer",
        )
    return app


def password_auth(password: str) -> Callable[[str, str], bool]:
    """Gradio auth accepting any user name with the right password (compared in constant time)."""
    return lambda _user, given: secrets.compare_digest(given.encode(), password.encode())


def serve(settings: Settings, host: str, port: int, password: str = "", block: bool = True) -> gr.Blocks:
    """Load and warm the engine, then serve the chat.

    One answer at start-up loads the LLM and warms every cache (embedder, store, BM25, the
    model's first inference), so the first user's answer streams as fast as later ones.
    """
    engines = Engines(settings)
    engines.get().answer(EXAMPLES[0])
    app = build(engines)
    app.queue(default_concurrency_limit=ANSWER_CONCURRENCY)
    app.launch(
        server_name=host,
        server_port=port,
        auth=password_auth(password) if password else None,
        theme=THEME,
        css_paths=[CSS_PATH],
        ssr_mode=False,
        footer_links=["api"],
        max_file_size="5mb",
        prevent_thread_lock=True,
        quiet=True,
    )
    print(f"Web chat on http://{host}:{port} (Ctrl-C to stop)", flush=True)
    if block:
        app.block_thread()
    return app
