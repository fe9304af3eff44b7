"""`corpusgate inspect` (R5): samples, suites, report, drift, history and the manual check, on small runs."""

from __future__ import annotations

import csv
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO, corpusgate, make_project, modules_loaded_by, read_run, seed_keywords, write_jsonl
from validators.distributions import psi, tvd
from validators.review import COLUMNS
from validators.samples import draw, technical_size

LICENSED = {"licence": "CC0-1.0"}
EN = [
    "We walked along the river after dinner and watched the boats come in.",
    "My sister finally taught me how to bake a loaf of sourdough bread.",
    "The library opened a quiet reading room on the top floor this spring.",
    "I repotted the basil and it has doubled in size since last month.",
    "Our neighbour lent us a ladder so we could clean the gutters.",
    "The morning train was late again, so I read two chapters of my novel.",
    "We tried a new noodle place near the station and the broth was rich.",
    "After the rain the whole park smelled of wet grass and pine needles.",
    "He is learning to play the cello and practises every evening at seven.",
    "The museum had a small exhibition of old maps from coastal towns.",
    "I bought a second-hand bicycle and now ride it to the office.",
    "Grandma sent a parcel of dried persimmons from her village.",
]
ZH = [
    "周末和朋友去湖边骑车，风很大但是心情很好。",
    "今天学做了番茄炒蛋，第一次就成功了，全家都说好吃。",
    "图书馆新开了一个安静的自习室，我每天下午都去那里看书。",
    "阳台上的绿萝长得特别快，已经爬满了半面墙。",
    "早上的地铁人很多，我就提前一站下车走路去公司。",
    "下雨天在家煮了一锅红豆汤，整个屋子都是甜甜的味道。",
    "我最近开始练习书法，每天写半个小时的楷书。",
    "小区门口新开了一家面馆，牛肉面的汤头很浓。",
    "爸爸退休以后迷上了钓鱼，每个周末都去水库边坐一天。",
    "博物馆里有一个关于古代地图的小展览，很值得一看。",
    "我买了一辆二手自行车，现在每天骑车上班。",
    "奶奶从老家寄来了一箱柿饼，甜得刚刚好。",
]
MOBILE = "13912345678"


def pairs(sentences: list[str], sep: str) -> list[str]:
    """Records of two neighbouring sentences each: distinct, and no near-duplicates of one another."""
    return [sentences[i] + sep + sentences[(i + 5) % len(sentences)] for i in range(len(sentences))]


def inspect_cli(project: Path, *args) -> int:
    return corpusgate("inspect", *args, "--params", project / "params.yaml")


SCHEMA = json.loads((REPO / "manifests" / "inspection.schema.json").read_text(encoding="utf-8"))


def load_report(directory: Path) -> dict:
    """The report in `directory`, checked against the report's JSON schema."""
    report = json.loads((directory / "inspection.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, SCHEMA)
    return report


def check(report: dict, name: str) -> dict:
    return next(c for c in report["checks"] if c["check"] == name)


def ids_by_source_record(run: Path) -> dict[str, str]:
    return {row["source_record_id"]: row["id"] for row in read_run(run)["lineage"] if row["source_record_id"]}


@pytest.fixture(scope="module")
def project(tmp_path_factory, risk_model) -> Path:
    return make_project(tmp_path_factory.mktemp("inspect-project"), risk_model)


@pytest.fixture(scope="module")
def clean_run(project) -> Path:
    """English and Chinese everyday texts, two with a mobile number that the gate redacts."""
    records = [{"text": t, **LICENSED} for t in pairs(EN, " ") + pairs(ZH, "")]
    records += [{"text": f"有事请打我手机{MOBILE}，晚上都在。" + ZH[0], **LICENSED}]
    records += [{"text": f"Call my phone {MOBILE} any evening. " + EN[3], **LICENSED}]
    source = write_jsonl(project / "clean.jsonl", records)
    assert corpusgate("run", "--params", project / "params.yaml", "--input", source, "--out", project / "clean") == 0
    return project / "clean"


@pytest.fixture(scope="module")
def weak_run(project) -> tuple[Path, dict[str, str]]:
    """Chinese texts governed under a weak policy: mobiles not redacted, a keyword library that knows no risk.

    Planted: records with a mobile number ("pi-N") and records with a weight-1 self-harm keyword ("harm-N").
    """
    library = project / "tiny_keywords.tsv"
    library.write_text("# version: test-1\nkeyword\tcategory\tlang\tweight\nzzqqxx\tA1.8\ten\t1.0\n", "utf-8")
    records = [{"text": t, **LICENSED} for t in pairs(ZH, "")]
    records += [
        {"id": f"pi-{i}", "text": f"我的手机号是{MOBILE[:-1]}{i}，有事打给我。" + ZH[i], **LICENSED} for i in range(3)
    ]
    keywords = seed_keywords("A1.8", 4)
    records += [
        {"id": f"harm-{i}", "text": f"{ZH[i + 4]}朋友推荐了{kw}，说很好玩。", **LICENSED}
        for i, kw in enumerate(keywords)
    ]
    source = write_jsonl(project / "weak.jsonl", records)
    out = project / "weak"
    weak = [
        "--set=gate.pii.entities=[EMAIL_ADDRESS]",
        f"--set=label.keywords.path={library}",
        "--set=label.classifier.threshold=0.99",
        "--set=risk.review_band=0",
        "--set=risk.hold_harmful_sources=false",
    ]
    assert corpusgate("run", "--params", project / "params.yaml", "--input", source, "--out", out, *weak) == 0
    return out, ids_by_source_record(out)


class _Page(HTMLParser):
    """What the tests look for in the report page: figures with their SVG, failed checks with their ids."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, int] = {}
        self.checks: dict[str, list[str]] = {}
        self.verdict = ""
        self.external: list[str] = []
        self._figure: str | None = None
        self._check: str | None = None
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure":
            self._figure = attrs.get("id")
            self.figures[self._figure] = 0
        elif tag == "svg" and self._figure:
            self.figures[self._figure] += 1
        elif tag == "li" and "data-check" in attrs:
            self._check = attrs["data-check"]
            self.checks[self._check] = []
        elif tag == "code" and attrs.get("class") == "id" and self._check:
            self._in = "id"
        elif attrs.get("id") == "verdict":
            self._in = "verdict"
        for name in ("src", "href"):
            if name in attrs:
                self.external.append(attrs[name])

    def handle_endtag(self, tag):
        if tag == "figure":
            self._figure = None
        elif tag == "li":
            self._check = None
        self._in = None if tag in ("code", "p") else self._in

    def handle_data(self, data):
        if self._in == "id":
            self.checks[self._check].append(data)
        elif self._in == "verdict":
            self.verdict += data


def read_page(directory: Path) -> _Page:
    page = _Page()
    page.feed((directory / "inspection.html").read_text(encoding="utf-8"))
    return page


def test_inspect_passes_on_a_clean_run_and_writes_json_html_and_history(project, clean_run, tmp_path):
    assert inspect_cli(project, clean_run, "--report", tmp_path) == 0
    report = load_report(tmp_path)
    governed = len(read_run(clean_run)["governed"])
    assert report["passed"] and report["failed"] == []
    assert report["seed"] == 20260715
    assert report["target"]["kind"] == "run" and report["target"]["name"] == "clean"
    # Fewer records than inspect.technical.min_records and the manual sample: all of them are checked.
    assert report["samples"]["technical"]["records"] == report["samples"]["manual"]["records"] == governed
    assert check(report, "technical.residual_pi")["passed"]  # the gate redacted both mobile numbers
    assert {c["check"] for c in report["checks"]} >= {"schema", "lineage.provenance", "audit.risk_label"}
    saved = project / "manifests" / "inspections" / f"{report['id']}.json"
    assert json.loads(saved.read_text(encoding="utf-8")) == report
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**report, "checks": [{**report["checks"][0], "severity": "fatal"}]}, SCHEMA)

    page = read_page(tmp_path)
    assert page.verdict == "PASS"
    assert set(page.figures) == {f"plot-{n}" for n in ("category", "harmful-by-source", "length", "language", "trend")}
    assert all(count == 1 for count in page.figures.values())
    assert page.external == []  # self-contained
    # Ids and figures only: no record's text, no personal information.
    for written in (tmp_path / "inspection.json", tmp_path / "inspection.html", saved):
        content = written.read_text(encoding="utf-8")
        assert EN[0] not in content and ZH[0] not in content and MOBILE not in content


def test_planted_residual_pi_and_harmful_records_fail_the_inspection_by_name_and_id(project, weak_run, tmp_path):
    run, ids = weak_run
    governed = {row["id"] for row in read_run(run)["governed"]}
    planted_pi = {ids[f"pi-{i}"] for i in range(3)}
    # The weak policy let them through (the classifier may still be sure of one harmful plant: then it is held).
    planted_harm = {ids[f"harm-{i}"] for i in range(4)} & governed
    assert planted_pi <= governed and len(planted_harm) >= 3

    assert inspect_cli(project, run, "--report", tmp_path) == 1
    report = load_report(tmp_path)
    assert not report["passed"]
    assert {"technical.residual_pi", "technical.pass_rate", "sources.harmful_share"} <= set(report["failed"])
    residual = check(report, "technical.residual_pi")
    assert set(residual["ids"]) == planted_pi and residual["id_count"] == 3
    assert set(check(report, "technical.pass_rate")["ids"]) == planted_harm
    shares = check(report, "sources.harmful_share")
    assert shares["keys"] == ["weak"] and set(shares["ids"]) == planted_harm
    assert "categories.share" in report["failed"] and "A1.8" in check(report, "categories.share")["keys"]
    # The run was labelled with another keyword library than the check's.
    assert "models.same_as_run" in report["warnings"]
    assert "keyword_library" in check(report, "models.same_as_run")["keys"]

    page = read_page(tmp_path)
    assert page.verdict == "FAIL"
    assert set(page.checks["technical.residual_pi"]) == planted_pi
    assert set(page.checks["technical.pass_rate"]) == planted_harm
    for written in (tmp_path / "inspection.json", tmp_path / "inspection.html"):
        assert MOBILE[:-1] not in written.read_text(encoding="utf-8")  # types and ids, never the number


def test_a_second_inspection_reports_drift_against_the_first(project, clean_run, weak_run, tmp_path):
    target = tmp_path / "run"
    shutil.copytree(clean_run, target)
    assert inspect_cli(project, target, "--report", tmp_path / "first") == 0
    first = load_report(tmp_path / "first")
    assert first["drift"]["previous"] is None

    shutil.rmtree(target)  # the same run, governed again: Chinese only, weaker policy
    shutil.copytree(weak_run[0], target)
    assert inspect_cli(project, target, "--report", tmp_path / "second") == 1
    second = load_report(tmp_path / "second")
    drift = second["drift"]
    assert drift["previous"]["id"] == first["id"]
    language = next(m for m in drift["measures"] if m["distribution"] == "language" and m["scope"] == "all")
    assert language["drifted"] and language["tvd"] > 0.3
    assert "A1.8" in drift["new_risks"]
    assert {(c["used_by"], c["model"]) for c in drift["changed_models"]} == {("run", "keyword_library")}
    # Drift is a warning by default, a failure with inspect.drift.fail.
    assert {"drift.distributions", "drift.new_risks", "drift.models"} <= set(second["warnings"])
    assert "language@all" in check(second, "drift.distributions")["keys"]
    page = (tmp_path / "second" / "inspection.html").read_text(encoding="utf-8")
    assert f"Drift since inspection <code>{first['id']}</code>" in page

    shutil.rmtree(target)  # back to the first: drifted again, and this time drift fails the inspection
    shutil.copytree(clean_run, target)
    assert inspect_cli(project, target, "--report", tmp_path / "third", "--set", "inspect.drift.fail=true") == 1
    assert load_report(tmp_path / "third")["failed"] == ["drift.distributions"]


def test_a_dataset_of_governed_parquet_files_is_inspected_without_run_checks(project, clean_run, tmp_path):
    assert inspect_cli(project, clean_run / "governed", "--report", tmp_path) == 0
    report = load_report(tmp_path)
    assert report["target"]["kind"] == "dataset"
    assert not any(c["frame"] in ("lineage", "quarantine") for c in report["checks"])


def test_a_dataset_missing_a_column_fails_the_schema_check(project, clean_run, tmp_path):
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    for file in (clean_run / "governed").glob("*.parquet"):
        pq.write_table(pq.read_table(file).drop_columns(["labels"]), dataset / file.name)
    assert inspect_cli(project, dataset, "--report", tmp_path / "report") == 1
    report = load_report(tmp_path / "report")
    assert check(report, "schema")["keys"] == ["governed.labels"]
    assert "governed.labels" in report["failed"]  # and the records' labels are missing


def test_extra_expectations_come_from_params(project, clean_run, tmp_path):
    between = "{type: expect_column_values_to_be_between, kwargs: {column: chars, max_value: 80}}"
    extra = f"inspect.expectations={{governed: [{between}]}}"
    assert inspect_cli(project, clean_run, "--report", tmp_path, "--set", extra) == 1
    added = check(load_report(tmp_path), "governed.expect_column_values_to_be_between")
    long_ids = {r["id"] for r in read_run(clean_run)["governed"] if len(r["text"]) > 80}
    assert not added["passed"] and set(added["ids"]) == long_ids and long_ids

    unknown = "inspect.expectations={governed: [{type: expect_nothing_at_all, kwargs: {}}]}"
    assert inspect_cli(project, clean_run, "--report", tmp_path, "--set", unknown) == 2


def test_review_sheet_round_trip_scores_the_manual_check(project, clean_run, tmp_path):
    inspection, sheet, rows = exported_sheet(project, clean_run, tmp_path / "sheet.csv")
    assert list(rows[0]) == COLUMNS  # ids and text only, and the columns to fill in
    governed = {r["id"]: r["text"] for r in read_run(clean_run)["governed"]}
    assert {r["id"] for r in rows} == set(governed) and all(r["text"] == governed[r["id"]] for r in rows)

    for row in rows:
        row.update(verdict="pass", annotator="Ann", reviewer="Rui")
    rows[0]["verdict"] = "FAIL"  # 1 of 26: 96.2% passes
    write_sheet(sheet, rows)
    assert inspect_cli(project, "review", "import", sheet, "--report", tmp_path) == 0
    manual = load_report(tmp_path)["manual_check"]  # the report was written again, with the verdicts
    assert (
        json.loads((project / "manifests/inspections" / f"{inspection}.json").read_text("utf-8"))["manual_check"]
        == manual
    )
    assert manual["status"] == "passed" and manual["failed_ids"] == [rows[0]["id"]]
    assert manual["pass_rate"] == pytest.approx(1 - 1 / len(rows))
    assert manual["annotators"] == manual["reviewers"] == 1
    assert "Ann" not in json.dumps(manual)  # counts of people, not their names
    assert "passed: pass rate" in (tmp_path / "inspection.html").read_text(encoding="utf-8")

    rows[1]["verdict"] = "fail"  # 2 of 26: 92.3%
    write_sheet(sheet, rows)
    assert inspect_cli(project, "review", "import", sheet) == 1


def test_review_import_refuses_a_record_whose_annotator_is_its_reviewer(project, clean_run, tmp_path, capsys):
    inspection, sheet, rows = exported_sheet(project, clean_run, tmp_path / "sheet.parquet")
    for row in rows:
        row.update(verdict="pass", annotator="Ann", reviewer="Rui")
    rows[2]["reviewer"] = " ann "  # the same person, however written
    rows[5]["reviewer"] = "Ann"
    rows[7]["verdict"] = "maybe"
    write_sheet(sheet, rows)
    capsys.readouterr()
    assert inspect_cli(project, "review", "import", sheet) == 2
    error = capsys.readouterr().err
    assert "rows 4, 7: the annotator and the reviewer are the same person" in error
    assert "row 9: the verdict is not one of pass, fail" in error
    saved = json.loads((project / "manifests/inspections" / f"{inspection}.json").read_text("utf-8"))
    assert saved["manual_check"]["status"] == "pending"  # nothing recorded from a refused sheet


def test_review_import_refuses_incomplete_or_foreign_sheets(project, clean_run, tmp_path, capsys):
    _, sheet, rows = exported_sheet(project, clean_run, tmp_path / "sheet.csv")
    for row in rows:
        row.update(verdict="pass", annotator="Ann", reviewer="Rui")
    dropped = rows.pop()
    rows.append({**rows[0], "id": "not-sampled"})
    write_sheet(sheet, rows)
    capsys.readouterr()
    assert inspect_cli(project, "review", "import", sheet) == 2
    error = capsys.readouterr().err
    assert f"row {len(rows) + 1}: the id is not in the inspection's manual sample" in error
    assert f"1 sampled record(s) have no row, e.g. {dropped['id']}" in error

    write_sheet(sheet, [{k: v for k, v in row.items() if k != "reviewer"} for row in rows])
    assert inspect_cli(project, "review", "import", sheet) == 2
    assert "lacks the column(s) reviewer" in capsys.readouterr().err


def exported_sheet(project: Path, run: Path, sheet: Path) -> tuple[str, Path, list[dict]]:
    """Inspect `run` (report beside `sheet`), export its review sheet to `sheet`; (inspection id, sheet, its rows)."""
    assert inspect_cli(project, run, "--report", sheet.parent) == 0
    inspection = load_report(sheet.parent)["id"]
    assert inspect_cli(project, "review", "export", "--inspection", inspection, "--out", sheet) == 0
    if sheet.suffix == ".parquet":
        return inspection, sheet, pq.read_table(sheet).to_pylist()
    with open(sheet, encoding="utf-8", newline="") as handle:
        return inspection, sheet, list(csv.DictReader(handle))


def write_sheet(path: Path, rows: list[dict]) -> None:
    if path.suffix == ".parquet":
        import pyarrow as pa

        pq.write_table(pa.Table.from_pylist(rows), path)
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_bad_targets_give_clear_errors(project, clean_run, tmp_path, capsys):
    capsys.readouterr()
    assert inspect_cli(project, tmp_path / "nowhere", "--report", tmp_path) == 2
    assert "nowhere: no such run or dataset" in capsys.readouterr().err

    broken = tmp_path / "broken"
    shutil.copytree(clean_run, broken)
    victim = sorted((broken / "governed").glob("*.parquet"))[0]
    victim.write_bytes(b"not parquet at all")
    assert inspect_cli(project, broken, "--report", tmp_path) == 2
    assert f"{victim}: not readable as Parquet" in capsys.readouterr().err

    (tmp_path / "empty").mkdir()
    assert inspect_cli(project, tmp_path / "empty", "--report", tmp_path) == 2
    assert "neither a corpusgate run" in capsys.readouterr().err
    assert not (tmp_path / "inspection.json").exists()  # no report of an inspection that did not run

    assert inspect_cli(project, "review", "export", "--inspection", "20000101T000000Z-000000") == 2
    assert "no inspection 20000101T000000Z-000000" in capsys.readouterr().err
    assert inspect_cli(project, "review", "import", tmp_path / "missing.csv") == 2
    assert "no such review sheet" in capsys.readouterr().err


def test_samples_are_reproducible_from_their_seed():
    ids = [f"r{i}" for i in range(1000)]
    assert technical_size(1000, 0.1, 50) == 100 and technical_size(1000, 0.1, 500) == 500
    assert technical_size(30, 0.1, 1000) == 30
    assert draw(ids, 100, seed=7, stream="technical") == draw(list(reversed(ids)), 100, seed=7, stream="technical")
    assert draw(ids, 100, seed=7, stream="technical") != draw(ids, 100, seed=8, stream="technical")
    assert draw(ids, 100, seed=7, stream="technical") != draw(ids, 100, seed=7, stream="manual")
    assert len(set(draw(ids, 100, seed=7, stream="manual"))) == 100


def test_drift_measures():
    assert tvd({"zh": 0.5, "en": 0.5}, {"zh": 0.5, "en": 0.5}) == 0
    assert tvd({"zh": 1.0}, {"en": 1.0}) == 1
    assert tvd({"zh": 0.8, "en": 0.2}, {"zh": 0.5, "en": 0.5}) == pytest.approx(0.3)
    assert psi({"zh": 0.5, "en": 0.5}, {"zh": 0.5, "en": 0.5}) == 0
    assert psi({"zh": 0.8, "en": 0.2}, {"zh": 0.5, "en": 0.5}) > 0.25  # a large shift by the usual reading


def test_the_report_renders_in_headless_chromium(project, clean_run, tmp_path):
    from evaluation.render_inspection import find_chromium, render

    if find_chromium() is None:
        pytest.skip("no Chromium on this machine")
    assert inspect_cli(project, clean_run, "--report", tmp_path) == 0
    image = render(tmp_path / "inspection.html", tmp_path / "page.png", height=2400)
    import matplotlib.image

    pixels = matplotlib.image.imread(image)
    assert pixels.shape[0] == 2400 and pixels.std() > 0.05  # drawn, not blank


def test_the_inspection_imports_no_beam_and_no_stage():
    imports = "validators.inspection, validators.review"
    assert modules_loaded_by(imports, ("apache_beam", "pipelines.stages", "pipelines.run")) == []
