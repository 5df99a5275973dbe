"""The golden suite's run, baseline option and end-of-run report.

``pytest evals/`` answers every golden case once per session (the ``golden`` fixture),
the tests check it, and the terminal summary prints the per-category table against the
stored baseline and writes the JSON report. ``pytest evals/ --update-baseline`` rewrites
the baseline of the backend in use (evals/baselines/<backend>.json) from this run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evals import baseline, golden, report
from settings import Settings, load_settings

_RUN = pytest.StashKey[golden.Run]()
_UPDATED = pytest.StashKey[Path]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-baseline",
        action="store_true",
        help="rewrite evals/baselines/<backend>.json from this run of the golden set (on purpose only)",
    )
    parser.addoption(
        "--golden-report",
        type=Path,
        default=report.REPORT_PATH,
        help=f"where to write the golden set's JSON report (default {report.REPORT_PATH})",
    )


@pytest.fixture(scope="session")
def golden_engine(engine, settings: Settings):  # noqa: ANN001, ANN201 - the conftest Engine
    """The engine the golden set runs on: the configured backend (OPENAI_* from the environment
    or .env), over the session's index; the shared local engine when none is configured.

    tests/ always run on the local model; only the golden suite follows the configuration,
    so `OPENAI_API_KEY=... pytest evals/` measures OpenAI against its own baseline.
    """
    configured = load_settings()
    if configured.backend == "local":
        return engine
    from engine.engine import Engine

    return Engine(
        settings.with_(
            openai_api_key=configured.openai_api_key,
            openai_base_url=configured.openai_base_url,
            openai_model=configured.openai_model,
        ),
        index=engine.index,
    )


@pytest.fixture(scope="session")
def golden_run(request: pytest.FixtureRequest, golden_engine) -> golden.Run:  # noqa: ANN001
    """Every golden case answered once; the baseline is rewritten here when asked to."""
    run = golden.run(golden_engine)
    request.config.stash[_RUN] = run
    if request.config.getoption("--update-baseline"):
        request.config.stash[_UPDATED] = baseline.save(run.backend, run.as_baseline())
    return run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    run = config.stash.get(_RUN, None)
    if run is None:
        return
    path = report.write_json(run, config.getoption("--golden-report"))
    terminalreporter.section("golden eval report")
    for line in report.summary(run, path, config.stash.get(_UPDATED, None)):
        terminalreporter.write_line(line)
