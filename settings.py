"""One settings object, read once from the environment (and an optional .env), passed down.

Nothing below the CLI reads the environment itself, so tests build a Settings
with their own folders and nothing leaks between them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# Offline by default: nothing may reach a model hub or a telemetry endpoint.
for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_name, _value)


def _load_dotenv(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines; the process environment still wins over the file."""
    values: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip().strip('"').strip("'")
    return values


@dataclass(frozen=True)
class Settings:
    """Every knob of the assistant; defaults are the offline, local setup."""

    data_dir: Path = ROOT / "data" / "corpus"
    index_dir: Path = ROOT / ".index"
    prompts_dir: Path = ROOT / "prompts"
    chroma_host: str = ""  # empty: embedded PersistentClient under index_dir
    chroma_port: int = 8000
    top_k: int = 5  # passages whose sentences are evidence (5 beat 3, 4 and tied 6 on dev)
    candidates: int = 10  # passages each retriever returns before fusion
    openai_api_key: str = field(default="", repr=False)
    openai_base_url: str = ""
    openai_model: str = "gpt-4.1-mini"  # follows temperature 0 and max_tokens; any served name works
    openai_timeout: float = 30.0  # seconds per request before the client retries
    openai_retries: int = 2  # retries with backoff on connection errors, timeouts, 429 and 5xx
    llm_max_tokens: int = 64
    llm_seed: int = 42
    llm_threads: int = 2
    support_threshold: float = 0.75  # content-term recall a sentence needs from its passage
    answerable_threshold: float = 0.2  # evidence score below which the pipeline refuses (tuned on dev)
    max_question_chars: int = 2000
    rewrite: str = "auto"  # follow-up rewriting: "auto" (LLM with OpenAI, rules locally) | "llm" | "rules"

    @property
    def backend(self) -> str:
        """Which LLM answers: "openai" when a key or server URL is set, else "local"."""
        return "openai" if (self.openai_api_key or self.openai_base_url) else "local"

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests and benchmarks use this)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Settings from the environment, falling back to ROOT/.env, then to defaults."""
    values = {**_load_dotenv(ROOT / ".env"), **(os.environ if env is None else env)}
    defaults = Settings()

    def get(name: str, default: object) -> str:
        return values.get(name, "") or str(default)

    return Settings(
        data_dir=Path(get("DATA_DIR", defaults.data_dir)),
        index_dir=Path(get("INDEX_DIR", defaults.index_dir)),
        chroma_host=values.get("CHROMA_HOST", ""),
        chroma_port=int(get("CHROMA_PORT", defaults.chroma_port)),
        top_k=int(get("TOP_K", defaults.top_k)),
        openai_api_key=values.get("OPENAI_API_KEY", ""),
        openai_base_url=values.get("OPENAI_BASE_URL", ""),
        openai_model=get("OPENAI_MODEL", defaults.openai_model),
        openai_timeout=float(get("OPENAI_TIMEOUT", defaults.openai_timeout)),
        openai_retries=int(get("OPENAI_RETRIES", defaults.openai_retries)),
        answerable_threshold=float(get("ANSWERABLE_THRESHOLD", defaults.answerable_threshold)),
        support_threshold=float(get("SUPPORT_THRESHOLD", defaults.support_threshold)),
        rewrite=get("REWRITE", defaults.rewrite),
    )
