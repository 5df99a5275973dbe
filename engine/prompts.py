"""Prompt templates live as text files in prompts/ so they can be edited without code changes."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


class Prompts:
    """Reads prompts/<name>.txt once and fills its {placeholders}."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def text(self, name: str) -> str:
        """The raw template."""
        return _read(self.folder / f"{name}.txt")

    def render(self, name: str, **values: str) -> str:
        """The template with its placeholders filled."""
        return self.text(name).format(**values)
