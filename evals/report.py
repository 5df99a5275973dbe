"""The golden run's report: a table for the terminal and a JSON file for machines.

The JSON report goes to ``evals/reports/latest.json`` (gitignored), rewritten by every
run of ``pytest evals/``. It holds no timings or temporary paths, so two runs of the
same code give byte-identical files (``diff`` them to check determinism).
"""

from __future__ import annotations

import json
from pathlib import Path

from evals.baseline import REBASELINE
from evals.golden import Run
from evals.metrics import LENGTH, METRICS, OVERALL

REPORT_PATH = Path(__file__).resolve().parent / "reports" / "latest.json"
HEADERS = {
    "hit_at_k": "hit@k",
    "mrr": "MRR",
    "fact_recall": "facts",
    "citation_recall": "cite R",
    "citation_precision": "cite P",
    "refusal_accuracy": "refuse",
    "false_refusal_rate": "false ref",
    LENGTH: "words",
}
WIDTH = 13


def write_json(run: Run, path: Path = REPORT_PATH) -> Path:
    """Write the machine-readable report (sorted keys, stable across identical runs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run.report(), indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return path


def table(run: Run) -> list[str]:
    """Per category: now, and the change from the baseline where there is one."""
    before = run.stored["metrics"] if run.stored else {}
    lines = [f"{'category':13}{'n':>4}  " + "".join(f"{HEADERS[m]:>{WIDTH}}" for m in METRICS)]
    for group, metrics in run.metrics.items():
        cells = "".join(_cell(metrics.get(m), before.get(group, {}).get(m)) for m in METRICS)
        lines.append(f"{group:13}{metrics['cases']:>4}  {cells}")
        if group == OVERALL:
            lines.insert(-1, "-" * len(lines[0]))
    return lines


def summary(run: Run, report_path: Path, updated: Path | None) -> list[str]:
    """The whole end-of-run report: table, baseline state, what changed, hard failures."""
    regressions, improvements = run.comparison()
    if updated:
        state = f"baseline REWRITTEN: {updated} (changes below are against the previous one)"
    elif run.stored:
        state = f"baseline: evals/baselines/{run.backend}.json"
    else:
        state = f"no baseline for {run.backend!r} yet: record one with `{REBASELINE}`"
    lines = [f"golden set, backend {run.backend}: {len(run.scores)} cases; {state}", *table(run)]
    lines += [f"fingerprint changed: {change}" for change in run.fingerprint_changes()]
    lines += [f"REGRESSION  {change}" for change in regressions]
    lines += [f"improvement {change}" for change in improvements]
    if improvements and not updated:
        lines.append(f"  (lock improvements in with `{REBASELINE}`)")
    changed = run.changed_cases()
    if changed:
        lines.append(f"changed cases ({len(changed)}):")
        old = run.stored["cases"] if run.stored else {}
        for case_id, fields in changed.items():
            was = old.get(case_id, {}).get("answer", "")
            now = next((s.answer for s in run.scores if s.id == case_id), "")
            lines.append(f"  {case_id}: {', '.join(fields)}")
            if "answer" in fields:
                lines += [f"      was: {was[:150]!r}", f"      now: {now[:150]!r}"]
    failures = {s.id: s.failures for s in run.scores if s.failures}
    lines += [f"HARD FAIL {case_id}: {', '.join(names)}" for case_id, names in failures.items()]
    lines.append(f"JSON report: {report_path}")
    return lines


def _cell(now: float | None, before: float | None) -> str:
    if now is None:
        return f"{'-':>{WIDTH}}"
    text = f"{now:.1f}" if now > 1 else f"{now:.3f}"
    if before is not None and before != now:
        text += f"{now - before:+.2f}" if abs(now - before) < 10 else f"{now - before:+.0f}"
    return f"{text:>{WIDTH}}"
