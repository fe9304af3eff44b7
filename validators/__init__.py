"""Validation of run outputs: Great Expectations suites and the scheduled inspection (R5, Measures art. 10(5)).

Validators read a run's outputs and reuse `pipelines.detectors`; they never import the pipeline's stages.
The suites and `corpusgate inspect` are the subject of issue 8 and not built yet.
"""
