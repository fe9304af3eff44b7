"""The label stage labels a chunk of records as it labels each record alone."""

from __future__ import annotations

from pipelines.detectors.seed_training import seed_examples
from pipelines.params import load_params
from pipelines.record import Record
from pipelines.stages.label import Label
from tests.conftest import make_project


def records() -> list[Record]:
    train, _ = seed_examples()
    seed = [example.text for example in train[:60]]  # risky, safe and hard-negative texts
    texts = [*seed, seed[0], "", "   ", "No 12345678 or bob@example.com? Here's one.", "你还在上初中？那更好。"]
    made = [Record(f"r{i}", "s", "f", i, "00", (0, "f", i), text=text) for i, text in enumerate(texts)]
    chat = [{"role": "user", "content": seed[1]}, {"role": "assistant", "content": "辛苦了，早点休息"}]
    made.append(Record("chat", "s", "f", 99, "00", (0, "f", 99), messages=chat))
    return made


def test_a_batch_gets_the_labels_and_notes_of_records_labelled_one_by_one(tmp_path, risk_model):
    root = make_project(tmp_path, risk_model)
    label = Label(load_params(root / "params.yaml"), root)
    label.setup()
    one_by_one, batch = records(), records()
    for record in one_by_one:
        label.apply(record)
    label.apply_batch(batch)
    assert [(r.labels, r.trail) for r in batch] == [(r.labels, r.trail) for r in one_by_one]
    assert any(r.labels["risk"] for r in batch) and any(r.labels["keywords"] for r in batch)
    assert {r.labels["language"]["code"] for r in batch} >= {"zh", "en", "und"}
    label.apply_batch([])  # an empty chunk (every record held by an earlier stage) is no error
