"""The embedded sample corpus that `corpusgate sample` writes: planted cases and their ground truth (R1-R10)."""

from pipelines.sample.generator import STATUS_TAGS, TAG_MINIMUMS, TAINTED_FILE, write_sample

__all__ = ["STATUS_TAGS", "TAG_MINIMUMS", "TAINTED_FILE", "write_sample"]
