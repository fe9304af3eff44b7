"""Validation of run outputs: Great Expectations suites and the scheduled inspection (R5, Measures art. 10(5)).

Validators read a run's outputs (or a dataset of governed records) and reuse `pipelines.detectors`; they never
import the pipeline's stages, nor Beam.

- `target`: a run or a dataset, read and checked for readability;
- `samples`: the samples TC260-003 9.2 asks for, drawn with a recorded seed;
- `rescore`: the technical check (keywords, classifier) and the label audit, re-run with the current models;
- `frames` and `suites`: what the Great Expectations suites validate, and the suites themselves (extend them there
  or with `inspect.expectations` in params.yaml); `gx` runs them offline in an ephemeral context;
- `distributions`: the shares an inspection records, and the drift between two inspections;
- `history`, `report`, `review`: the inspection history, the JSON and HTML report, the manual check's sheet;
- `inspection`: `corpusgate inspect`, putting these together.
"""


class InspectionError(ValueError):
    """The inspection cannot run (no such run, unreadable Parquet, malformed review sheet ...): exit code 2."""
