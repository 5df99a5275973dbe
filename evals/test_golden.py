"""The golden set: per-case hard checks, and the aggregates against the stored baseline.

Hard checks hold for any model (see evals.metrics.hard_failures); the baseline
comparison catches everything else that got worse. The table printed at the end of the
run shows each category against the baseline and lists the cases that changed.
"""

from __future__ import annotations

import pytest

from evals.baseline import REBASELINE, baseline_path
from evals.dataset import GOLDEN_PATH, load_cases
from evals.golden import Run

CASES = load_cases(GOLDEN_PATH)


@pytest.fixture(scope="module")
def run(golden_run: Run, request: pytest.FixtureRequest) -> Run:
    if request.config.getoption("--update-baseline"):
        pytest.skip("baseline rewritten by --update-baseline: the report shows what changed")
    return golden_run


@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_hard_checks(golden_run: Run, case_id: str) -> None:
    found = next(s for s in golden_run.scores if s.id == case_id)
    assert not found.failures, f"{case_id}: {', '.join(found.failures)}; answer: {found.answer!r}"


def test_baseline_exists(run: Run) -> None:
    assert run.stored, f"no baseline at {baseline_path(run.backend)}: record one with `{REBASELINE}`"


def test_fingerprint_matches_baseline(run: Run) -> None:
    changes = run.fingerprint_changes()
    assert not changes, (
        f"the baseline was recorded with a different setup ({'; '.join(changes)}). If that change is "
        f"intended, re-baseline with `{REBASELINE}` and commit {baseline_path(run.backend)}"
    )


def test_no_metric_regressed(run: Run) -> None:
    regressions, _ = run.comparison()
    assert not regressions, (
        "regressed beyond tolerance: " + "; ".join(map(str, regressions))
        + f". Changed cases: {run.changed_cases()}. If intended, re-baseline with `{REBASELINE}`"
    )
