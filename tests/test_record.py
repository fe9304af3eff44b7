"""The record as it crosses shuffles and checkpoints: pickled and loaded back, nothing changes."""

import pickle

from pipelines.record import DUPLICATE, Record, Step


def test_a_record_round_trips_through_pickle_with_every_field() -> None:
    record = Record(
        id="web-1",
        source="web",
        file="a.jsonl",
        row=3,
        raw_sha256="ab" * 32,
        order=(0, "a.jsonl", 3),
        messages=[{"role": "user", "content": "你好"}],
        meta={"licence": "CC0-1.0", "consent": ["training"]},
        labels={"language": {"code": "zh", "score": 0.98}, "risk": {"A1.6": 0.4}},
        content_key="k",
        screened=True,
        minhash=b"\x00\x01\xff",
    )
    record.note("clean", "modify", "whitespace")
    record.mark_duplicate("exact_dedup", "R3.exact_duplicate", "web-0")

    loaded = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))

    assert loaded == record
    assert loaded.decision == DUPLICATE and loaded.duplicate_of == "web-0"
    assert all(type(step) is Step for step in loaded.trail)
    loaded.labels["risk"]["A1.6"] = 0.9  # a copy, not shared state
    assert record.labels["risk"]["A1.6"] == 0.4
