"""The inspection report: `inspection.json` for machines and `inspection.html` for people (R5).

The HTML page is self-contained (inline CSS, plots as inline SVG drawn by matplotlib; no script, no external
resource), so it can be mailed, archived or opened offline. It shows the verdict, every failed check with the ids
of its records, the samples and their seed, the plots (risk categories, harmful share per source, lengths,
languages, trend over past inspections), drift against the previous inspection, and the models used. Like the
JSON it holds ids and figures only, never a record's text.
"""

from __future__ import annotations

import io
import json
from html import escape
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: render to files only
import matplotlib.pyplot as plt  # noqa: E402

REPORT_JSON, REPORT_HTML = "inspection.json", "inspection.html"
IDS_SHOWN = 50  # per check on the page; the JSON has up to inspect.max_ids_reported

plt.rcParams.update(
    {"svg.hashsalt": "corpusgate", "svg.fonttype": "none", "font.size": 9, "figure.constrained_layout.use": True}
)


def write_report(report: dict[str, Any], history: list[dict[str, Any]], directory: Path) -> tuple[Path, Path]:
    """Write the report's JSON and HTML into `directory`; `history` (oldest first) gives the trend."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path, html_path = directory / REPORT_JSON, directory / REPORT_HTML
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    html_path.write_text(render_html(report, history), encoding="utf-8")
    return json_path, html_path


def render_html(report: dict[str, Any], history: list[dict[str, Any]]) -> str:
    verdict = "PASS" if report["passed"] else "FAIL"
    target = report["target"]
    sections = [
        f"<h1>corpusgate inspection <code>{escape(report['id'])}</code></h1>",
        f'<p class="verdict {verdict.lower()}" id="verdict">{verdict}</p>',
        _table(
            ["target", "kind", "started", "seed", "governed records", "root hash"],
            [
                [
                    target["name"],
                    target["kind"],
                    report["started"],
                    report["seed"],
                    report["distributions"]["records"],
                    target["root_hash"] or "-",
                ]
            ],
        ),
        _failed_section(report),
        _samples_section(report),
        _manual_section(report["manual_check"]),
        _plots_section(report, history),
        _drift_section(report["drift"]),
        _checks_section(report["checks"]),
        _models_section(report["models"]),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>corpusgate inspection {escape(report['id'])}: {verdict}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(sections)}</body></html>\n"
    )


# --- sections ---------------------------------------------------------------------------------------------------


def _failed_section(report: dict[str, Any]) -> str:
    failed = [c for c in report["checks"] if not c["passed"]]
    if not failed:
        return '<section id="failed"><h2>Failed checks</h2><p>None: every check passed.</p></section>'
    items = []
    for check in failed:
        kind = "failed" if check["severity"] == "error" else "warning"
        ids = "".join(f'<code class="id">{escape(i)}</code> ' for i in check["ids"][:IDS_SHOWN])
        more = check["id_count"] - min(len(check["ids"]), IDS_SHOWN)
        keys = ", ".join(escape(k) for k in check["keys"])
        items.append(
            f'<li class="check {kind}" data-check="{escape(check["check"])}"><strong>{escape(check["check"])}</strong>'
            f" ({escape(kind)}): {escape(check['asks'])} <small>[{escape(check['basis'])}]</small>"
            f"<br>observed {escape(_short(check['observed']))}; thresholds {escape(_short(check['thresholds']))}"
            + (f"<br>not met by: {keys}" if keys else "")
            + (f"<br>{check['id_count']} record(s): {ids}" if check["id_count"] else "")
            + (f"and {more} more (see inspection.json)" if more > 0 else "")
            + (f"<br>error: {escape(check['error'])}" if check["error"] else "")
            + "</li>"
        )
    return f'<section id="failed"><h2>Failed checks</h2><ul>{"".join(items)}</ul></section>'


def _samples_section(report: dict[str, Any]) -> str:
    samples = report["samples"]
    technical, manual, audit = samples["technical"], samples["manual"], samples["audit"]
    rows = [
        ["technical check", technical["records"], f"{technical['share']:.1%} of {technical['of']}", report["seed"]],
        ["manual check", manual["records"], f"asked {manual['asked']}", report["seed"]],
        *(
            [f"audit ({audit['by']} {group})", n, f"asked {audit['per_group']}", report["seed"]]
            for group, n in audit["records"].items()
        ),
    ]
    return f'<section id="samples"><h2>Samples</h2>{_table(["sample", "records", "size", "seed"], rows)}</section>'


def _manual_section(manual: dict[str, Any]) -> str:
    if manual["status"] == "pending":
        text = (
            f"Pending: export the review sheet of {manual['records']} records with "
            "<code>corpusgate inspect review export</code>, then import the verdicts with "
            "<code>corpusgate inspect review import FILE</code>."
        )
    else:
        text = (
            f"{escape(manual['status'])}: pass rate {manual['pass_rate']:.2%} over {manual['reviewed']} records "
            f"(minimum {manual['min_pass_rate']:.0%}); {manual['annotators']} annotator(s), "
            f"{manual['reviewers']} reviewer(s); imported {escape(manual['imported'])}"
        )
    return f'<section id="manual"><h2>Manual check</h2><p>{text}</p></section>'


def _plots_section(report: dict[str, Any], history: list[dict[str, Any]]) -> str:
    figures = [
        ("category", "Risk categories: share of the technical sample flagged, and records held back by the run",
         _plot_categories(report["distributions"], _limit(report, "categories.share"))),
        ("harmful-by-source", "Harmful share of the technical sample per source, against the limit",
         _plot_harmful(report)),
        ("length", "Length of the governed records (characters)", _plot_length(report["distributions"])),
        ("language", "Languages of the governed records", _plot_shares(report["distributions"]["language"], "share")),
        ("trend", "Pass rates over past inspections of this target", _plot_trend(history)),
    ]  # fmt: skip
    body = "".join(
        f'<figure class="plot" id="plot-{name}">{svg}<figcaption>{escape(caption)}</figcaption></figure>'
        for name, caption, svg in figures
    )
    return f'<section id="plots"><h2>Plots</h2>{body}</section>'


def _drift_section(drift: dict[str, Any]) -> str:
    if drift["previous"] is None:
        return '<section id="drift"><h2>Drift</h2><p>No previous inspection of this target.</p></section>'
    rows = [
        [m["distribution"], m["scope"], m.get("tvd", "-"), m.get("psi", "-"), m.get("change", "-"), _yes(m["drifted"])]
        for m in drift["measures"]
    ]
    changed = [[c["used_by"], c["model"], _short(c["previous"]), _short(c["current"])] for c in drift["changed_models"]]
    return (
        f'<section id="drift"><h2>Drift since inspection <code>{escape(drift["previous"]["id"])}</code></h2>'
        f"<p>New risks: {escape(', '.join(drift['new_risks']) or 'none')}.</p>"
        + (_table(["used by", "model", "previous", "current"], changed) if changed else "<p>Models unchanged.</p>")
        + _table(["distribution", "scope", "total variation", "stability index", "rate change", "drifted"], rows)
        + "</section>"
    )


def _checks_section(checks: list[dict[str, Any]]) -> str:
    rows = [
        [
            c["check"],
            c["asks"],
            c["basis"],
            "pass" if c["passed"] else ("FAIL" if c["severity"] == "error" else "warning"),
            _short(c["observed"]),
        ]
        for c in checks
    ]
    return _section("checks", "All checks", _table(["check", "asks", "basis", "result", "observed"], rows))


def _models_section(models: dict[str, Any]) -> str:
    names = sorted(set(models["run"]) | set(models["check"]))
    rows = [[name, _short(models["run"].get(name, "-")), _short(models["check"].get(name, "-"))] for name in names]
    return _section("models", "Models", _table(["model", "labelled the run", "technical check"], rows))


# --- plots --------------------------------------------------------------------------------------------------------


def _svg(figure: plt.Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: without the XML declaration and doctype


def _bars(axis: plt.Axes, shares: dict[str, float], label: str, empty: str) -> None:
    if not shares:
        axis.text(0.5, 0.5, empty, ha="center", va="center", transform=axis.transAxes)
        axis.set_xticks([])
        axis.set_yticks([])
        return
    names = list(shares)
    axis.barh(names, [shares[n] for n in names], color="#4c72b0")
    axis.set_xlim(left=0)
    axis.invert_yaxis()
    axis.set_xlabel(label)


def _plot_categories(distributions: dict[str, Any], limit: float | None) -> str:
    flagged, held = distributions["flagged"], distributions["held_counts"]
    rows = max(len(flagged), len(held), 3)
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 0.25 * rows + 1.2))
    _bars(left, flagged, "share of the technical sample", "no risk flagged in the sample")
    if limit is not None and flagged:
        left.axvline(limit, color="#c44e52", linestyle="--", label=f"limit {limit:.0%} (quarantined risks)")
        left.set_xlim(0, max(limit, *flagged.values()) * 1.2)
        left.legend(loc="lower right")
    left.set_title("flagged in the governed sample")
    _bars(right, held, "records held back", "no record held back for a risk")
    right.set_title("held back by the run")
    return _svg(figure)


def _limit(report: dict[str, Any], check: str) -> float | None:
    """The `max_value` a check was run with, to draw beside what it measured."""
    return next((c["thresholds"].get("max_value") for c in report["checks"] if c["check"] == check), None)


def _plot_harmful(report: dict[str, Any]) -> str:
    rates = report["distributions"]["harmful_rate"]
    limit = _limit(report, "sources.harmful_share")
    figure, axis = plt.subplots(figsize=(6, 0.3 * max(len(rates), 3) + 1))
    _bars(axis, rates, "harmful share", "no source in the sample")
    if limit is not None and rates:
        axis.axvline(limit, color="#c44e52", linestyle="--", label=f"limit {limit:.0%}")
        axis.set_xlim(0, max(limit, *rates.values()) * 1.2)
        axis.legend(loc="lower right")
    return _svg(figure)


def _plot_length(distributions: dict[str, Any]) -> str:
    order = distributions["length_bins"]
    shares = distributions["length"]
    figure, axis = plt.subplots(figsize=(6, 2.6))
    axis.bar(order, [shares.get(b, 0.0) for b in order], color="#55a868")
    axis.set_ylabel("share of records")
    axis.tick_params(axis="x", rotation=30)
    return _svg(figure)


def _plot_shares(shares: dict[str, float], label: str) -> str:
    figure, axis = plt.subplots(figsize=(6, 0.3 * max(len(shares), 3) + 1))
    _bars(axis, dict(sorted(shares.items(), key=lambda item: -item[1])), label, "no records")
    return _svg(figure)


def _plot_trend(history: list[dict[str, Any]]) -> str:
    labels = [report["started"][:16].replace("T", " ") for report in history]
    technical = [_observed_rate(report, "technical.pass_rate") for report in history]
    manual = [report.get("manual_check", {}).get("pass_rate") for report in history]
    figure, axis = plt.subplots(figsize=(7, 2.8))
    positions = range(len(history))
    axis.plot(positions, technical, marker="o", label="technical check")
    axis.plot(positions, [m if m is not None else float("nan") for m in manual], marker="s", label="manual check")
    for threshold, name in ((_threshold(history, "technical"), "technical"), (_threshold(history, "manual"), "manual")):
        if threshold is not None:
            axis.axhline(threshold, linestyle="--", linewidth=0.8, color="grey")
            axis.annotate(f"{name} minimum", (0, threshold), fontsize=7, color="grey")
    axis.set_xticks(list(positions), labels, rotation=30, ha="right")
    axis.set_ylabel("pass rate")
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    return _svg(figure)


def _observed_rate(report: dict[str, Any], check: str) -> float:
    for found in report.get("checks", []):
        if found["check"] == check and isinstance(found["observed"], dict):
            return found["observed"].get("passing_share") or float("nan")
    return float("nan")


def _threshold(history: list[dict[str, Any]], which: str) -> float | None:
    if not history:
        return None
    latest = history[-1]
    return (
        latest["samples"]["technical"]["min_pass_rate"]
        if which == "technical"
        else latest["manual_check"]["min_pass_rate"]
    )


# --- helpers ------------------------------------------------------------------------------------------------------


def _section(section_id: str, title: str, body: str) -> str:
    return f'<section id="{section_id}"><h2>{escape(title)}</h2>{body}</section>'


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else value
    return text if len(text) <= 160 else text[:157] + "..."


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;line-height:1.4}
h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ddd;margin-top:1.6em}
.verdict{display:inline-block;padding:.3em 1em;font-weight:bold;font-size:1.3em;border-radius:4px}
.verdict.pass{background:#d4edda;color:#155724}.verdict.fail{background:#f8d7da;color:#721c24}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}
li.check{margin:.5em 0}li.failed strong{color:#721c24}li.warning strong{color:#856404}
code.id{font-size:.8em;background:#f3f3f3;padding:0 .2em}
figure.plot{margin:1em 0}figure.plot svg{max-width:100%;height:auto}figcaption{font-size:.85em;color:#555}
"""
