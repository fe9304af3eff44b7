"""The embedded sample, governed by `corpusgate run --out DIR` with no other argument, against its ground truth."""

import csv
import hashlib
import json
import random
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipelines.cli import main
from pipelines.params import load_params
from pipelines.record import record_id
from pipelines.sample import STATUS_TAGS, TAINTED_FILE
from tests.conftest import corpusgate, make_project, read_run

# The reason each kind of malformed line planted by the sample generator must be quarantined with.
MALFORMED = {
    "malformed:json": "R2.malformed_json",
    "malformed:utf8": "R2.invalid_utf8",
    "malformed:not_object": "R2.not_an_object",
    "malformed:no_text": "R2.missing_text",
    "malformed:empty_text": "R2.missing_text",
    "malformed:bad_messages": "R2.bad_messages",
    "clean:too_short": "R2.too_short",
}


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory, risk_model):
    """The sample generated and governed in a fresh project directory, as a user would: default workers."""
    project = make_project(tmp_path_factory.mktemp("project"), risk_model)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        assert corpusgate("sample") == 0
        assert main(["run", "--out", "runs/sample"]) == 0
    return project, read_run(project / "runs" / "sample")


def input_records(sample: Path) -> int:
    """Records in the sample counted independently of the pipeline: non-blank lines and data rows."""
    lines = sum(1 for f in sample.glob("*.jsonl") if f.name != "truth.jsonl" for line in f.open("rb") if line.strip())
    return lines + pq.read_metadata(sample / "books.parquet").num_rows + _csv_rows(sample / "forum.csv")


def _csv_rows(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def truth(project: Path) -> list[dict]:
    """The planted cases, each with the id the pipeline must give it."""
    sources = {Path(s.path).name: s.name for s in load_params(project / "params.yaml").sources}
    planted = [json.loads(line) for line in (project / "data/sample/truth.jsonl").open(encoding="utf-8")]
    for case in planted:
        case["id"] = record_id(sources[case["file"]], f"data/sample/{case['file']}", case["row"])
        if "of" in case:
            of = case["of"]
            case["of_id"] = record_id(sources[of["file"]], f"data/sample/{of['file']}", of["row"])
    return planted


def test_every_input_record_is_in_the_lineage_exactly_once(sample_run):
    project, run = sample_run
    ids = [r["id"] for r in run["lineage"]]
    assert len(ids) == len(set(ids)) == input_records(project / "data" / "sample") > 2500
    governed = {r["id"] for r in run["governed"]}
    quarantined = {r["id"] for r in run["quarantine"]}
    assert not governed & quarantined
    counts = run["manifest"]["counts"]
    assert counts["input"] == len(ids) == counts["governed"] + counts["quarantined"] + counts["duplicate"]
    assert counts["governed"] == len(governed) and counts["quarantined"] == len(quarantined)
    assert sum(counts["by_reason"].values()) >= counts["quarantined"] + counts["duplicate"]
    assert run["manifest"]["run"]["mode"] == "multi_processing"


def test_manifest_describes_sources_and_outputs(sample_run):
    project, run = sample_run
    manifest = run["manifest"]
    by_name = {s["name"]: s for s in manifest["sources"]}
    assert by_name["companion_chat"]["origin"] == "user_interaction"
    assert by_name["web_zh"]["licence"] == "CC-BY-4.0" and by_name["web_zh"]["records"] > 800
    assert by_name["uploads"]["files"] == [] and manifest["problems"][0]["severity"] == "warning"
    tables = Counter(o["table"] for o in manifest["outputs"])
    assert set(tables) == {"governed", "quarantine", "lineage", "negatives", "report"}
    assert sum(o["rows"] for o in manifest["outputs"] if o["table"] == "governed") == manifest["counts"]["governed"]


def test_planted_malformed_and_short_records_are_quarantined_with_their_reason(sample_run):
    project, run = sample_run
    lineage = {r["id"]: r for r in run["lineage"]}
    checked = 0
    for case in truth(project):
        for tag in case["tags"]:
            if tag in MALFORMED:
                row = lineage[case["id"]]
                assert row["decision"] == "quarantined" and MALFORMED[tag] in row["reasons"], (tag, case)
                checked += 1
    assert checked >= 30


def test_planted_exact_duplicates_point_at_their_original(sample_run):
    project, run = sample_run
    lineage = {r["id"]: r for r in run["lineage"]}
    duplicates = [case for case in truth(project) if "exact_dup" in case["tags"]]
    assert len(duplicates) >= 10
    for case in duplicates:
        row = lineage[case["id"]]
        if set(case["tags"]) & set(CONSENT):  # the gate holds it back before deduplication can see it
            assert row["decision"] == "quarantined", case
            continue
        assert row["decision"] == "duplicate" and row["duplicate_of"] == case["of_id"], case
        assert lineage[case["of_id"]]["decision"] != "duplicate"


def test_withheld_text_never_reaches_the_outputs(sample_run):
    _, run = sample_run
    withheld = [r for r in run["quarantine"] if r["text_withheld"]]
    assert withheld and all(r["text"] is None and r["messages"] is None for r in withheld)
    assert all(r["raw_sha256"] for r in withheld)


def test_governed_set_opens_with_datasets(sample_run):
    import datasets

    project, run = sample_run
    files = sorted(str(p) for p in (project / "runs/sample/governed").glob("*.parquet"))
    governed = datasets.load_dataset("parquet", data_files=files, split="train")
    assert governed.num_rows == run["manifest"]["counts"]["governed"]
    assert {"id", "text", "messages", "labels"} <= set(governed.column_names)


# Planted consent cases and the reasons the gate must hold them back with (R7, R8).
CONSENT = {
    "interaction:no_consent": {"R7.no_training_consent"},
    "minor:no_guardian_consent": {"R8.no_guardian_consent"},
    "consent:malformed": {"R7.invalid_consent", "R8.invalid_age"},
}
# Share of planted risk records (outside the tainted source; in the whole sample) that the default seed library and
# classifier must hold back with their risk id: end-to-end floors of what the defaults catch, below the measured
# figures (23/25 = 0.92 and 138/155 = 0.89 on the default sample) by a margin for other draws of the generator;
# not accuracy claims (see the README and evaluation/eval_classifier.py --sample).
MIN_SAMPLE_RISK_RECALL = 0.85
MIN_SAMPLE_RISK_RECALL_ALL = 0.85
STRUCTURED = ("pi:cn_resident_id", "pi:cn_mobile", "pi:bank_card", "pi:email", "pi:credit_card", "pi:ip")


def test_consent_rules_hold_back_the_planted_records(sample_run):
    project, run = sample_run
    lineage = {r["id"]: r for r in run["lineage"]}
    checked = Counter()
    for case in truth(project):
        row = lineage[case["id"]]
        for tag, reasons in CONSENT.items():
            if tag in case["tags"]:
                assert row["decision"] == "quarantined" and reasons & set(row["reasons"]), (tag, row["reasons"])
                checked[tag] += 1
        if "interaction:consented" in case["tags"] and not set(case["tags"]) & {*CONSENT, "minor:text_signal"}:
            assert not {"R7.no_training_consent", "R7.invalid_consent"} & set(row["reasons"]), case
        if {"minor:guardian_consent"} <= set(case["tags"]):
            assert "R8.no_guardian_consent" not in row["reasons"]
    assert all(checked[tag] >= 5 for tag in CONSENT), checked


def test_minors_stating_their_age_are_held_without_a_guardian(sample_run):
    project, run = sample_run
    lineage = {r["id"]: r for r in run["lineage"]}
    stated = [c for c in truth(project) if "minor:text_signal" in c["tags"]]
    assert stated
    for case in stated:
        record = _sample_record(project, case)
        if "guardian" not in (record.get("consent") or []):
            assert "R8.no_guardian_consent" in lineage[case["id"]]["reasons"], case


def test_no_planted_identifier_survives_into_the_governed_set(sample_run):
    """Recall of the structured identifiers, end to end: the value must be gone from every text written."""
    project, run = sample_run
    written = {r["id"]: r for r in run["governed"] + run["quarantine"] if r["text"] or r["messages"]}
    seen = leaked = 0
    for case in truth(project):
        if case["id"] not in written or not set(case["tags"]) & set(STRUCTURED):
            continue
        original = _sample_record(project, case)
        row = written[case["id"]]
        for span in case["pi"]:
            if span["type"] not in STRUCTURED:
                continue
            source = original["messages"][span["msg"]]["content"] if "msg" in span else original["text"]
            value = source[span["start"] : span["end"]]
            output = row["messages"][span["msg"]]["content"] if "msg" in span else row["text"]
            seen += 1
            leaked += value in output
    assert seen >= 50 and leaked / seen <= 0.01, (leaked, seen)


def _sample_record(project: Path, case: dict) -> dict:
    path = project / "data" / "sample" / case["file"]
    if path.suffix == ".jsonl":
        return json.loads(path.read_bytes().split(b"\n")[case["row"]])
    if path.suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))[case["row"]]
    return pq.read_table(path).slice(case["row"], 1).to_pylist()[0]


def test_the_tainted_source_is_refused_and_the_others_are_not(sample_run):
    """TC260-003 5.1: the sample's forum is far over 5% harmful; the other sources are under it."""
    project, run = sample_run
    tainted = {s.name for s in load_params(project / "params.yaml").sources if Path(s.path).name == TAINTED_FILE}
    report = run["manifest"]["risk_by_source"]
    for source, entry in report.items():
        assert entry["over_threshold"] is (source in tainted), (source, entry)
    for row in run["lineage"]:
        assessed = any(step["stage"] == "risk" for step in row["trail"])
        if row["source"] in tainted and assessed:
            assert row["decision"] == "quarantined" and any(c.startswith("R6.") for c in row["reasons"]), row["id"]
        if row["source"] not in tainted:
            assert "R6.harmful_source" not in row["reasons"]


def test_planted_risks_are_held_with_their_risk_id(sample_run):
    """Outside the tainted source, record by record; and in the whole sample, every planted risk id caught."""
    project, run = sample_run
    lineage = {r["id"]: r for r in run["lineage"]}
    caught, outside, per_id = Counter(), Counter(), {}
    for case in truth(project):
        row = lineage[case["id"]]
        risks = [t.removeprefix("risk:") for t in case["tags"] if t.startswith("risk:")]
        if not risks or not any(s["stage"] == "risk" for s in row["trail"]):
            continue  # held before the risk filter (consent, malformed): nothing to decide
        held = any(f"R6.{risk}" in row["reasons"] for risk in risks)
        caught.update(planted=1, held=held)
        if case["file"] != TAINTED_FILE:
            outside.update(planted=1, held=held)
        for risk in risks:
            per_id.setdefault(risk, Counter()).update(planted=1, held=held)
    assert outside["planted"] >= 10 and outside["held"] / outside["planted"] >= MIN_SAMPLE_RISK_RECALL, outside
    assert caught["held"] / caught["planted"] >= MIN_SAMPLE_RISK_RECALL_ALL, caught
    assert len(per_id) >= 13 and all(c["held"] for c in per_id.values()), per_id


def test_benign_look_alikes_are_kept_and_labelled(sample_run):
    project, run = sample_run
    lineage = {r["id"]: r for r in run["lineage"]}
    look_alikes = [c for c in truth(project) if any(t.startswith("lookalike:") for t in c["tags"])]
    assert len(look_alikes) >= 20
    held = [c["id"] for c in look_alikes if lineage[c["id"]]["decision"] == "quarantined"]
    assert len(held) <= 0.1 * len(look_alikes), held
    assert all("risk" in json.loads(lineage[c["id"]]["labels"]) for c in look_alikes)


def test_planted_near_duplicates_are_clustered_with_their_original_kept(sample_run):
    project, run = sample_run
    lineage = {r["id"]: r for r in run["lineage"]}
    near = [case for case in truth(project) if "near_dup" in case["tags"]]
    assert len(near) >= 10
    for case in near:
        row, original = lineage[case["id"]], lineage[case["of_id"]]
        assert row["decision"] == "duplicate" and row["reasons"] == ["R3.near_duplicate"], case
        assert row["duplicate_of"] == case["of_id"] and original["decision"] == "governed"
        label = json.loads(row["labels"])["near_dup"]
        assert label["cluster"] == case["of_id"] and label["similarity"] >= 0.8
        assert json.loads(original["labels"])["near_dup"]["size"] >= 2
    clusters = run["manifest"]["duplicate_clusters"]["R3.near_duplicate"]
    assert clusters["dropped"] >= len(near) and clusters["clusters"] >= 1


def test_trace_tells_random_records_stories_as_their_input_has_them(sample_run, capsys):
    """For random records of the JSONL sources, `trace` names the file and row whose raw line hashes to the
    lineage's raw hash, the licence the record or its source declares, and every stage's decision."""
    project, run = sample_run
    sources = {s.name: s for s in load_params(project / "params.yaml").sources}
    jsonl = [r for r in run["lineage"] if r["file"].endswith(".jsonl") and r["row"] >= 0]
    for row in random.Random(7).sample(jsonl, 12):
        assert corpusgate("trace", "-q", row["id"], "--run", project / "runs" / "sample") == 0
        out = capsys.readouterr().out
        line = (project / row["file"]).read_bytes().split(b"\n")[row["row"]].rstrip(b"\r")
        assert f"file {row['file']}, row {row['row']}" in out
        assert f"raw bytes     sha256 {hashlib.sha256(line).hexdigest()}" in out
        try:
            fields = json.loads(line)
        except ValueError:
            fields = None
        if isinstance(fields, dict):
            licence = fields.get("licence", sources[row["source"]].licence)
            assert f"licence       {licence if isinstance(licence, str) else '-'}" in out
        trail = out.split("\ntrail\n")[1].split("\n")
        told = [line.split()[:2] for line in trail[: len(row["trail"])]]
        assert told == [[step["stage"], step["action"]] for step in row["trail"]]
        assert not trail[len(row["trail"])].startswith("  ")  # no step more than the lineage has


# Planted synthetic failures (R4) and the component of the safety score each must fail on.
SYNTHETIC_FAILURES = {
    "synthetic:degenerate": "R4.degeneration",
    "synthetic:memorisation": "R4.memorisation",
    "synthetic:regurgitation": "R4.regurgitation",
    "synthetic:sycophancy": "R4.companion",
    "synthetic:false_promise": "R4.companion",
    "synthetic:self_harm_unanswered": "R4.companion",
}
# Truth tags of a record's provenance and what the signals stage must label (R4).
SIGNAL_TAGS = {"synthetic:declared": "declared", "synthetic:aigc_label": "aigc_label"}
FLAG_TAGS = {"synthetic:aigc_malformed": "R4.malformed_aigc_label", "synthetic:missing_generator_meta":
             "R4.missing_generator_meta"}  # fmt: skip


def synthetic_label(row: dict) -> dict:
    return json.loads(row["labels"]).get("synthetic", {})


def test_synthetic_records_are_found_by_each_signal_and_the_report_lists_them(sample_run):
    project, run = sample_run
    lineage = {r["id"]: r for r in run["lineage"]}
    report = json.loads((project / "runs/sample/synthetic_report.json").read_text(encoding="utf-8"))
    found = Counter()
    for case in truth(project):
        label = synthetic_label(lineage[case["id"]])
        for tag, signal in SIGNAL_TAGS.items():
            assert (tag in case["tags"]) == (signal in label.get("signals", [])), (case, label)
        for tag, flag in FLAG_TAGS.items():
            assert (tag in case["tags"]) == (flag in label.get("flags", {})), (case, label)
        if case["file"] == "synthetic.jsonl":
            assert ("generator" in label.get("signals", [])) == (_sample_record(project, case).get("generator")
                                                                 is not None)  # fmt: skip
        found.update(set(case["tags"]) & {*SIGNAL_TAGS, *FLAG_TAGS})
    for tag, signal in SIGNAL_TAGS.items():
        assert report["by_signal"][signal]["records"] == found[tag] > 0
        assert report["by_signal"][signal]["only_this_signal"] > 0
    assert report["by_signal"]["generator"]["only_this_signal"] > 0
    for tag, flag in FLAG_TAGS.items():
        assert report["flags"][flag]["records"] == found[tag] > 0
    vendor = report["by_source"]["vendor_generated"]
    assert vendor["synthetic"] == sum(1 for r in run["lineage"] if synthetic_label(r).get("signals"))
    assert 0.9 < vendor["share"] < 1 and report["by_source"]["web_zh"]["synthetic"] == 0
    assert report["safety"]["records"] > 300 and len(report["by_generator"]) >= 4


def test_planted_synthetic_failures_are_held_back_with_the_failing_component(sample_run):
    project, run = sample_run
    lineage = {r["id"]: r for r in run["lineage"]}
    report = json.loads((project / "runs/sample/synthetic_report.json").read_text(encoding="utf-8"))
    assessed = Counter()
    for case in truth(project):
        for tag in set(case["tags"]) & set(SYNTHETIC_FAILURES):
            row = lineage[case["id"]]
            assert row["decision"] == "quarantined", (tag, row["reasons"])
            if any(step["stage"] == "synthetic" for step in row["trail"]):  # else an earlier stage held it
                assert SYNTHETIC_FAILURES[tag] in row["reasons"], (tag, row["reasons"])
                assert case["id"] in report["failures_by_reason"][SYNTHETIC_FAILURES[tag]]["examples"] or (
                    report["failures_by_reason"][SYNTHETIC_FAILURES[tag]]["records"] > 5
                )
                assessed[tag] += 1
            if tag == "synthetic:regurgitation":
                assert synthetic_label(row)["closest_human"]["id"] == case["of_id"]
                assert lineage[case["of_id"]]["decision"] == "governed"
    # Most reach the synthetic stage; the risk filter may catch a companion harm first, and that is fine.
    assert all(assessed[tag] >= 2 for tag in SYNTHETIC_FAILURES), assessed


def test_ordinary_synthetic_records_rarely_fail_the_safety_score(sample_run):
    project, run = sample_run
    lineage = {r["id"]: r for r in run["lineage"]}
    ordinary = [c for c in truth(project) if c["file"] == "synthetic.jsonl" and set(c["tags"]) <= STATUS_TAGS]
    scored = [synthetic_label(lineage[c["id"]]) for c in ordinary if "safety" in synthetic_label(lineage[c["id"]])]
    assert len(scored) > 300
    failing = [label for label in scored if label["failing"]]
    assert len(failing) <= 0.02 * len(scored), failing


def test_negatives_cover_every_risk_held_and_are_traceable(sample_run):
    project, run = sample_run
    lineage = {r["id"]: r for r in run["lineage"]}
    negatives = run["negatives"]
    by_risk: dict[str, set[str]] = {}
    for row in negatives:
        origin = lineage[row["origin_id"]]
        assert origin["decision"] == "quarantined" and f"R6.{row['risk']}" in origin["reasons"]
        assert not {"R7.no_training_consent", "R8.no_guardian_consent", "R7.invalid_consent"} & set(origin["reasons"])
        by_risk.setdefault(row["risk"], set()).add(row["kind"])
    held_risks = {
        code.removeprefix("R6.")
        for r in run["lineage"]
        for code in r["reasons"]
        if code.startswith("R6.") and code not in ("R6.review", "R6.harmful_source")
    }
    assert held_risks and set(by_risk) <= held_risks
    complete = {risk for risk, kinds in by_risk.items() if kinds == {"safe_response", "preference", "adversarial"}}
    assert complete == held_risks, held_risks - complete
    assert len({row["negative_id"] for row in negatives}) == len(negatives)


def test_no_planted_identifier_reaches_the_negatives(sample_run):
    project, run = sample_run
    written = "\n".join(row[f] for row in run["negatives"] for f in ("prompt", "chosen", "rejected", "text") if row[f])
    seen = 0
    for case in truth(project):
        for span in case.get("pi", []):
            if span["type"].startswith("pi:") and span["type"] not in ("pi:person_name_zh", "pi:address_zh"):
                original = _sample_record(project, case)
                source = original["messages"][span["msg"]]["content"] if "msg" in span else original["text"]
                value = source[span["start"] : span["end"]]
                seen += 1
                assert value not in written, span["type"]
    assert seen >= 100
