"""The web chat: Gradio app (web), HTML rendering (render), Markdown export (export), engines (engines)."""
