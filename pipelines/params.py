"""Loading and validating `params.yaml`: the one place where defaults live.

Every threshold, policy and source is a parameter (house rule: parameters, not constants). A wrong key or value
fails fast with a message naming its dotted path, before any data is read. `--set a.b=value` overrides one
parameter for one run; a list of sources can be addressed by index (`sources.0.licence`) or by source name
(`sources.web_zh.licence`).
"""

from __future__ import annotations

import hashlib
import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from pipelines.models import DEFAULT_LANGUAGE_MODEL_PATH, LANGUAGE_MODEL


class ParamsError(ValueError):
    """Parameters that cannot be used; the message names the file and the offending key."""


class Origin(StrEnum):
    """Where a record comes from; decides which consent rules apply (Measures art. 16, PIPL art. 29)."""

    HUMAN = "human"
    SYNTHETIC = "synthetic"
    USER_INTERACTION = "user_interaction"


class LegalBasis(StrEnum):
    """The lawful basis under which a source is processed (R1: Measures art. 11; PIPL art. 13)."""

    CONSENT = "consent"  # PIPL 13(1)1
    CONTRACT = "contract"  # PIPL 13(1)2
    LEGAL_DUTY = "legal_duty"  # PIPL 13(1)3
    PUBLIC_HEALTH = "public_health"  # PIPL 13(1)4
    NEWS_REPORTING = "news_reporting"  # PIPL 13(1)5
    PUBLIC_INFORMATION = "public_information"  # PIPL 13(1)6
    STATUTE = "statute"  # PIPL 13(1)7
    LICENSED = "licensed"  # content without personal information, used under its licence


Format = Literal["jsonl", "csv", "parquet", "hf"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceParams(_Strict):
    """A declared source (R1): what it is, where it lives, and under which licence and legal basis."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    path: str = Field(min_length=1, description="a file, a directory of files, or a glob; relative to params.yaml")
    format: Format | None = Field(None, description="inferred from the file extension when absent")
    licence: str | None = None
    legal_basis: LegalBasis | None = None
    origin: Origin = Origin.HUMAN
    defaults: dict[str, Any] = Field(default_factory=dict, description="per-record field defaults")


class DeclaredSourceParams(SourceParams):
    """A source listed in params.yaml: refused without a licence and a legal basis (R1)."""

    licence: str = Field(min_length=1)
    legal_basis: LegalBasis


class RunParams(_Strict):
    workers: int = Field(0, ge=0, description="worker processes; 0 = all cores")
    progress_every: int = Field(10_000, gt=0, description="log progress every N records per worker")
    shards: int = Field(0, ge=0, description="output files per table; 0 = one per 64 MB of input")
    shard_records: int = Field(
        100_000, gt=0, description="most rows per input shard, the unit a killed run does not redo when started again"
    )
    keep_work: bool = Field(False, description="keep the shard checkpoints (<out>/.work) after a successful run")
    spill_budget_mb: float = Field(
        16, ge=0, description="local runner: MB a stage output or shuffle keeps in memory before spilling; 0 = never"
    )
    spill_dir: str | None = Field(None, description="local runner: where spill files go; null = <out>/.work/scratch")


class CleanParams(_Strict):
    """Cleaning (R2: Measures art. 10(2))."""

    unicode_form: Literal["NFC", "NFKC"] = "NFKC"
    keep_fullwidth: str = Field(
        "，！？：；（）",
        description="characters NFKC must not fold: Chinese text uses these full-width forms",
    )
    strip_html: bool = True
    drop_control_chars: bool = True
    drop_zero_width: bool = True
    collapse_whitespace: bool = True
    min_chars: int = Field(5, ge=0)
    max_chars: int = Field(200_000, gt=0)

    @model_validator(mode="after")
    def _bounds_ordered(self) -> CleanParams:
        if self.min_chars > self.max_chars:
            raise ValueError(f"min_chars ({self.min_chars}) is larger than max_chars ({self.max_chars})")
        return self


class ExactDedupParams(_Strict):
    """Exact deduplication by a hash of normalised content (R2, R3)."""

    enabled: bool = True
    casefold: bool = True
    ignore_whitespace: bool = True
    ignore_punctuation: bool = True


# A pair at the threshold must become an LSH candidate at least this often, or the banding is refused.
MIN_CANDIDATE_PROBABILITY = 0.95


class NearDupParams(_Strict):
    """Near-duplicate detection (R2, R3: Measures art. 10(2)-(3)).

    REGULATION.md sets no figure for near-duplicates. The threshold 0.8 is the one the issue evaluates at;
    the other defaults give F1 >= 0.95 there (`evaluation/eval_neardup.py` prints the figures).
    """

    enabled: bool = True
    threshold: float = Field(0.8, gt=0.0, le=1.0, description="estimated Jaccard from which texts are near-duplicates")
    num_perm: int = Field(512, ge=8, le=1024, description="MinHash permutations (signature length)")
    bands: int = Field(20, ge=1, description="LSH bands; texts sharing one band's values are compared")
    rows: int = Field(6, ge=1, description="signature values per band")
    seed: int = Field(20260715, ge=0, description="permutation seed: change it and signatures change")
    char_ngram: int = Field(5, ge=1, description="n of the character n-grams of CJK-dominant texts")
    word_ngram: int = Field(5, ge=1, description="n of the word n-grams of space-separated texts")
    cjk_share: float = Field(
        0.5, ge=0.0, le=1.0, description="share of unspaced-script characters among a text's units for char n-grams"
    )
    max_compared: int = Field(500, ge=2, description="members of a band bucket each member is compared with")
    rounds: int = Field(8, ge=1, le=64, description="large-star/small-star rounds of the clustering")
    partitions: int = Field(
        32, ge=1, description="band-key partitions of both MinHash stages' shuffles: one step holds one's share"
    )
    previous: str | None = Field(
        None, description="governed Parquet of an earlier run (directory or glob): its records are kept representatives"
    )

    @model_validator(mode="after")
    def _bands_fit(self) -> NearDupParams:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands * rows ({self.bands} * {self.rows}) exceeds num_perm ({self.num_perm})")
        at_threshold = self.candidate_probability(self.threshold)
        if at_threshold < MIN_CANDIDATE_PROBABILITY:
            raise ValueError(
                f"{self.bands} bands of {self.rows} rows make a pair at the threshold {self.threshold} a candidate "
                f"with probability {at_threshold:.2f} only; use more bands or fewer rows"
            )
        return self

    def candidate_probability(self, jaccard: float) -> float:
        """The probability that LSH banding compares two texts of this Jaccard similarity at all."""
        return 1 - (1 - jaccard**self.rows) ** self.bands


class DedupParams(_Strict):
    exact: ExactDedupParams = ExactDedupParams()
    near: NearDupParams = NearDupParams()


# In order of specificity: when two overlapping matches are equally long, the earlier type wins.
EntityType = Literal[
    "CN_RESIDENT_ID",
    "CN_RESIDENT_ID_15",
    "HK_MACAU_PERMIT",
    "PASSPORT",
    "CREDIT_CARD",
    "BANK_CARD",
    "IBAN_CODE",
    "CN_MOBILE",
    "LANDLINE",
    "LICENCE_PLATE",
    "EMAIL_ADDRESS",
    "IP_ADDRESS",
    "PHONE_NUMBER",
    "URL",
    "ADDRESS",
    "PERSON",
]
ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)
ActionName = Literal["redact", "mask", "pseudonymise", "hold"]

# PIPL art. 28: the entity types that are sensitive personal information, and their category (identity documents,
# financial accounts), whose policy applies when a record lacks separate consent.
SENSITIVE_CATEGORY_OF: dict[str, str] = {
    "CN_RESIDENT_ID": "identity",
    "CN_RESIDENT_ID_15": "identity",
    "HK_MACAU_PERMIT": "identity",
    "PASSPORT": "identity",
    "CREDIT_CARD": "financial",
    "BANK_CARD": "financial",
    "IBAN_CODE": "financial",
}
SENSITIVE_TYPES: tuple[str, ...] = tuple(SENSITIVE_CATEGORY_OF)
# URLs are not personal information by themselves (REGULATION.md does not list them); they can be switched on.
DEFAULT_ENTITIES: tuple[str, ...] = tuple(t for t in ENTITY_TYPES if t != "URL")


def _default_actions() -> dict[str, ActionName]:
    # Names are pseudonymised so that a dialogue stays coherent (R10: keyed hash); everything else is removed.
    return {t: ("pseudonymise" if t == "PERSON" else "redact") for t in ENTITY_TYPES}


class PiiParams(_Strict):
    """What to detect and what to do with it (R7, R10). Defaults follow REGULATION.md, "Personal information"."""

    entities: list[EntityType] = Field(default_factory=lambda: list(DEFAULT_ENTITIES), min_length=1)
    score_threshold: float = Field(0.5, ge=0.0, le=1.0)
    context_window: int = Field(
        24, ge=0, le=500, description="characters searched for cue words on each side, within the sentence"
    )
    context_boost: float = Field(0.35, ge=0.0, le=1.0, description="added to the score when a cue word is near")
    sensitive_entities: list[EntityType] = Field(default_factory=lambda: list(SENSITIVE_TYPES))
    actions: dict[EntityType, ActionName] = Field(default_factory=_default_actions)
    prefilter: bool = True
    phone_regions: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]] = Field(
        default_factory=lambda: ["US", "GB"],
        description="regions whose national phone formats PHONE_NUMBER accepts; +country-code numbers always are",
    )

    @model_validator(mode="after")
    def _every_entity_has_an_action(self) -> PiiParams:
        missing = sorted(set(self.entities) - set(self.actions))
        if missing:
            raise ValueError(f"actions: no action for {', '.join(missing)}")
        return self


SensitiveCategory = Literal["identity", "financial", "health", "religion", "biometric", "location", "minor"]


class ConsentParams(_Strict):
    """Who may be trained on (R7, R8: Measures art. 16; PIPL art. 13-14, 29, 31). Consent is a list of scopes."""

    interaction_scope: str = Field("training", description="consent a user_interaction record needs")
    guardian_scope: str = Field("guardian", description="consent a minor's record needs")
    sensitive_scope: str = Field("sensitive_pi", description="separate consent for sensitive PI (PIPL art. 29)")
    minor_age: int = Field(14, ge=1, le=18, description="under this age a person is a minor (PIPL art. 28, 31)")
    age_from_text: bool = Field(True, description="take a first-person statement of age when `age` is absent")
    sensitive_without_consent: dict[SensitiveCategory, Literal["redact", "hold"]] = Field(
        default_factory=lambda: dict.fromkeys(get_args(SensitiveCategory), "redact"),
        description="per sensitive category, what to do when the record lacks separate consent",
    )

    @model_validator(mode="after")
    def _every_category_has_a_policy(self) -> ConsentParams:
        missing = sorted(set(get_args(SensitiveCategory)) - set(self.sensitive_without_consent))
        if missing:
            raise ValueError(f"sensitive_without_consent: no policy for {', '.join(missing)}")
        return self


class PseudonymParams(_Strict):
    """Keyed pseudonyms for subject ids and names (R10). The key itself is never a parameter."""

    key_env: str = Field("CORPUSGATE_SUBJECT_KEY", description="environment variable holding the key (hex)")
    key_file: str = Field(
        ".corpusgate/subject.key", description="used when the variable is unset; relative to params.yaml; created"
    )


class GateParams(_Strict):
    """The consent and personal-information gate (R7, R8, R10)."""

    consent: ConsentParams = ConsentParams()
    pii: PiiParams = PiiParams()
    pseudonyms: PseudonymParams = PseudonymParams()


class LanguageParams(_Strict):
    """Language identification (R2 labels, R3 diversity). REGULATION.md sets no threshold: the defaults are
    chosen on `evaluation/eval_language.py`'s figures."""

    model_path: str = Field(
        DEFAULT_LANGUAGE_MODEL_PATH,
        min_length=1,
        description="the lid.176.ftz file, relative to the project root (the directory of params.yaml); "
        "fetched at set-up time by `python -m pipelines.models`",
    )
    min_confidence: float = Field(
        0.3, ge=0.0, le=1.0, description="below this probability the text is labelled `undetermined_label`"
    )
    max_chars: int = Field(
        1000, gt=0, description="characters fed to the model from the start of a text; bounds the cost of long texts"
    )
    undetermined_label: str = Field("und", min_length=1, description="the label of empty or unrecognised text")
    model_sha256: str | None = Field(
        LANGUAGE_MODEL.sha256,
        pattern=r"^[0-9a-f]{64}$",
        description="the model file's expected sha256 (R2: no tampering); null accepts any file, e.g. your own model",
    )


class KeywordLibraryParams(_Strict):
    """The keyword library and its thresholds (TC260-003 9.1 a); the per-risk minimums are in the taxonomy."""

    path: str | None = Field(
        None, description="the library file, relative to params.yaml; null: the small seed library corpusgate ships"
    )
    min_total_entries: int = Field(10_000, ge=0, description="Entries the whole library must have.")
    max_age_days: int | None = Field(
        7, ge=1, description="Days since `# updated:` after which the library is stale; None: not checked."
    )
    min_keyword_chars: int = Field(2, ge=1, description="Shortest keyword allowed, counted after normalisation.")
    threshold: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Summed weight of a risk's hits in one sentence from which keywords are evidence of it; weaker "
        "cues alone (a single 0.3 word) are not, so the classifier's threshold can be lower than this one.",
    )


class ClassifierParams(_Strict):
    """Training and decision parameters of the risk classifier (R6; TC260-003 9.1 b: a classifier over every risk).

    The fastText fields keep fastText's meaning (their fastText names in brackets). `dim`, `epoch` and `lr` were
    chosen on the seed set's dev split and on the false flags of the seed-only model on Davidson's "neither" tweets
    (safe text it never saw), over five training seeds; `min_count` for size (figures: evaluation/eval_classifier.py).
    """

    epoch: int = Field(30, ge=1, description="Passes over the training data (fastText epoch).")
    lr: float = Field(0.7, gt=0, description="Learning rate (fastText lr).")
    word_ngrams: int = Field(
        1, ge=1, le=5, description="Longest token n-gram used as a feature (wordNgrams); Chinese bigrams are tokens."
    )
    dim: int = Field(64, ge=2, description="Size of the hidden vectors (dim).")
    min_count: int = Field(2, ge=1, description="Tokens seen fewer times are dropped from the vocabulary (minCount).")
    loss: Literal["ova", "softmax"] = Field(
        "ova", description="ova: one independent score per risk (multi-label); softmax: scores sum to 1."
    )
    bucket: int = Field(
        100_000, ge=1_000, description="Hash buckets of word n-grams (bucket), used when word_ngrams > 1."
    )
    threads: int = Field(1, ge=1, description="Training threads; only one gives a byte-identical model per seed.")
    seed: int = Field(20260715, description="fastText's random seed.")
    quantize: bool = Field(
        False,
        description="Quantise the model (product quantisation, .ftz): smaller, but it wrecked some models trained on "
        "little data (every text flagged).",
    )
    quantize_cutoff: int = Field(
        100_000, ge=0, description="Words and n-grams kept when quantising (cutoff); 0 keeps all."
    )
    cjk_bigrams: bool = Field(True, description="Add the bigrams of each run of Chinese characters as tokens.")
    window_chars: int = Field(
        100,
        ge=0,
        description="Texts are scored sentence by sentence (a chat message at least), a sentence longer than this "
        "many characters in pieces, each risk taking its highest score, so that one harmful sentence is not averaged "
        "away by the ordinary text around it; 0: the whole text at once.",
    )
    question_pairs: bool = Field(
        True,
        description="Also score a question together with the sentence after it (within `window_chars`): an answer "
        "may be harmful only with its question ('you're in middle school? even better, ...').",
    )
    threshold: float = Field(
        0.35,
        gt=0,
        le=1,
        description="Risk score (classifier, or keyword evidence over `keywords.threshold`) at or above which a record "
        "has the risk.",
    )
    thresholds: dict[str, float] = Field(
        default_factory=dict, description="Per-risk thresholds that override `threshold` (risk id -> score)."
    )
    extra_training_data: list[Path] = Field(
        default_factory=list, description="Labelled JSONL files trained on besides the seed set (format above)."
    )

    def threshold_for(self, risk_id: str) -> float:
        return self.thresholds.get(risk_id, self.threshold)


class LabelParams(_Strict):
    """Labels on every record: language, keyword hits, risk scores (R2 labelling, R6; tag first, decide later)."""

    language: LanguageParams = LanguageParams()
    keywords: KeywordLibraryParams = KeywordLibraryParams()
    classifier: ClassifierParams = ClassifierParams()
    classifier_model: str = Field(
        "models/risk_classifier.ftz", description="trained by `corpusgate train-classifier`; relative to params.yaml"
    )
    seed_training_out: str = Field("data/seed_training", description="where train-classifier writes the seed set")
    min_score_recorded: float = Field(0.05, ge=0, le=1, description="risk scores below this are not written")


class RiskParams(_Strict):
    """Prohibited-content filter (R6: Measures art. 7-8; TC260-003 5.1, appendix A). Thresholds: label.classifier."""

    review_band: float = Field(
        0.05, ge=0, lt=1, description="scores this far below a threshold go to human review, not to the machine"
    )
    source_max_harmful_share: float = Field(
        0.05, ge=0, le=1, description="a source with a larger share of harmful records is not used (TC260-003 5.1)"
    )
    hold_harmful_sources: bool = Field(True, description="hold back every record of such a source")


# The entity types whose presence in generated text suggests memorised personal information (R4): identifiers, not
# the names and disclosures that generated dialogue invents by design.
MEMORISATION_TYPES: tuple[str, ...] = tuple(t for t in DEFAULT_ENTITIES if t != "PERSON")


class SyntheticWeights(_Strict):
    """How much each hazard of a synthetic record weighs (R4). A component fails the record when its weight times
    its hazard (0: none, 1: the failure is plainly there) exceeds 1 - `threshold`; 0 reports it and never fails."""

    risk: float = Field(1.0, ge=0, description="the highest risk score of the label stage")
    memorisation: float = Field(1.0, ge=0, description="personal information the gate found: possible memorisation")
    regurgitation: float = Field(1.0, ge=0, description="estimated Jaccard to the most similar human record")
    degeneration: float = Field(1.0, ge=0, description="repetition, low lexical diversity, truncation")
    companion: float = Field(1.0, ge=0, description="sycophancy, manipulation, false promises, self-harm unanswered")


class DegenerationParams(_Strict):
    """What counts as a degenerate generation (R4). REGULATION.md sets no figure: on the embedded sample, ordinary
    generated records repeat under 3% of their 4-grams and keep a moving type-token ratio over 0.75."""

    min_units: int = Field(
        20,
        ge=1,
        description="shorter texts (in words, or characters of Chinese) are not checked for repetition or diversity",
    )
    ngram: int = Field(4, ge=1, description="repetition hazard: the share of repeated n-grams of this many units")
    window: int = Field(50, ge=2, description="lexical diversity: moving-average type-token ratio over this many units")
    diverse_enough: float = Field(
        0.6,
        gt=0,
        le=1,
        description="a moving-average type-token ratio at or above this is no hazard; below, the "
        "hazard grows to 1 as it falls to 0",
    )


class RegurgitationParams(_Strict):
    """LSH banding that finds the human records a synthetic record copies from (R4). Signatures are the near-dup
    stage's (`dedup.near`: permutations, seed, shingles), banded more finely: regurgitation fails far below the
    near-duplicate threshold."""

    bands: int = Field(32, ge=1, description="LSH bands; a synthetic and a human text sharing one are compared")
    rows: int = Field(3, ge=1, description="signature values per band")
    max_compared: int = Field(500, ge=2, description="members of one band bucket compared")


class SyntheticParams(_Strict):
    """Synthetic data: detection, safety assessment and report (R4: Measures art. 10(4); GB 45438-2025 implicit
    labels; GB/T 45652 draft: the generator and the time of generation recorded)."""

    enabled: bool = True
    hold_flagged: bool = Field(
        True,
        description="hold back a record with a malformed AIGC label, and a synthetic record without its generator "
        "(model, service) and time; false: label them and keep them",
    )
    threshold: float = Field(0.5, gt=0, le=1, description="a synthetic record whose safety score is below this is held")
    weights: SyntheticWeights = SyntheticWeights()
    memorisation_types: list[EntityType] = Field(
        default_factory=lambda: list(MEMORISATION_TYPES),
        description="PI types whose presence in a synthetic record is a memorisation hazard",
    )
    degeneration: DegenerationParams = DegenerationParams()
    regurgitation: RegurgitationParams = RegurgitationParams()

    def fails_at(self, weight: float) -> float:
        """The hazard above which a component of this weight fails a record (above 1: never)."""
        return (1 - self.threshold) / weight if weight else math.inf


NegativeKind = Literal["safe_response", "preference", "adversarial"]


class NegativesParams(_Strict):
    """Negative samples from records held back for a risk (R3: Measures art. 10(3), negative sampling and
    adversarial training)."""

    enabled: bool = True
    ratio: float = Field(
        1.0,
        ge=0,
        le=1,
        description="share of the eligible held-back records that negatives are built from, chosen "
        "by a hash of the record id (the same records in every run)",
    )
    kinds: list[NegativeKind] = Field(default_factory=lambda: ["safe_response", "preference", "adversarial"])
    adversarial_variants: int = Field(3, ge=0, description="adversarial variants per record, each a different trick")
    templates: str | None = Field(
        None, description="safe-response templates (YAML); relative to params.yaml; null: the packaged ones"
    )


class SampleParams(_Strict):
    """The embedded sample corpus written by `corpusgate sample`."""

    out: str = "data/sample"
    seed: int = 20260715
    scale: int = Field(1, ge=1)


class TechnicalCheckParams(_Strict):
    """The technical check of the corpus assessment (TC260-003 9.2): keywords and classifier on a random sample."""

    share: float = Field(0.1, gt=0, le=1, description="share of the governed records checked (the standard: >= 10%)")
    min_records: int = Field(1000, ge=1, description="check at least this many records (all of them when fewer)")
    min_pass_rate: float = Field(0.98, ge=0, le=1, description="share of checked records that must pass")
    max_category_share: float = Field(
        0.02, ge=0, le=1, description="share of checked records any one quarantined risk may flag"
    )


class ManualCheckParams(_Strict):
    """The manual check of the corpus assessment (TC260-003 9.2): reviewers' verdicts on random records."""

    records: int = Field(4000, ge=1, description="records in the review sheet (all of them when fewer)")
    min_pass_rate: float = Field(0.96, ge=0, le=1, description="share of reviewed records that must pass")


class AuditParams(_Strict):
    """Audit of records' metadata and labels (TC260-003 9.2): a sample per source type, labels re-derived."""

    by: Literal["source", "origin"] = Field("source", description="what a source type is: the source or the origin")
    per_group: int = Field(100, ge=1, description="records audited per source type (all of them when fewer)")
    min_label_agreement: float = Field(
        0.9, ge=0, le=1, description="share of audited records whose labels the current models must reproduce"
    )


class DriftParams(_Strict):
    """Comparison with the previous inspection of the same run or dataset."""

    max_tvd: float = Field(0.1, ge=0, le=1, description="total-variation distance over which a distribution drifted")
    fail: bool = Field(False, description="true: drift fails the inspection; false: it is reported as a warning")
    length_bins: list[int] = Field(
        [0, 50, 100, 200, 500, 1000, 2000, 5000], min_length=2, description="left edges of the length histogram"
    )

    @field_validator("length_bins")
    @classmethod
    def _increasing(cls, bins: list[int]) -> list[int]:
        if bins[0] != 0 or any(a >= b for a, b in zip(bins, bins[1:], strict=False)):
            raise ValueError("length_bins must start at 0 and increase")
        return bins


class ExpectationSpec(_Strict):
    """An expectation added to an inspection suite, in Great Expectations' names (`validators/suites.py`)."""

    type: str = Field(pattern=r"^expect_[a-z0-9_]+$")
    kwargs: dict[str, Any] = Field(default_factory=dict)
    meta: dict[str, Any] = Field(default_factory=dict)


class InspectParams(_Strict):
    """Scheduled inspection (R5: Measures art. 10(5); TC260-003 9.2): samples, thresholds, history, report."""

    seed: int | None = Field(
        20260715, ge=0, description="seed of the samples; null: a fresh one, recorded in the report"
    )
    technical: TechnicalCheckParams = TechnicalCheckParams()
    manual: ManualCheckParams = ManualCheckParams()
    audit: AuditParams = AuditParams()
    drift: DriftParams = DriftParams()
    languages: list[str] = Field(["zh", "en"], min_length=1, description="the languages the governed set should be in")
    min_language_share: float = Field(0.95, ge=0, le=1, description="share of governed records in those languages")
    max_ids_reported: int = Field(1000, ge=1, description="record ids listed per failed check (the count is exact)")
    history: str = Field("manifests/inspections", description="one JSON per inspection; relative to params.yaml")
    report: str = Field("reports/inspection", description="the latest report (JSON, HTML); relative to params.yaml")
    expectations: dict[str, list[ExpectationSpec]] = Field(
        default_factory=dict, description="extra expectations per frame (validators/suites.py names the frames)"
    )


class Params(_Strict):
    sources: list[DeclaredSourceParams] = Field(default_factory=list)
    input_defaults: SourceParams = Field(
        default_factory=lambda: SourceParams(name="input", path="-", legal_basis=LegalBasis.LICENSED),
        description="the source settings given to files passed with --input",
    )
    run: RunParams = RunParams()
    clean: CleanParams = CleanParams()
    gate: GateParams = GateParams()
    label: LabelParams = LabelParams()
    risk: RiskParams = RiskParams()
    dedup: DedupParams = DedupParams()
    sample: SampleParams = SampleParams()
    inspect: InspectParams = InspectParams()
    synthetic: SyntheticParams = SyntheticParams()
    negatives: NegativesParams = NegativesParams()

    @model_validator(mode="after")
    def _regurgitation_banding_fits(self) -> Params:
        banding, near = self.synthetic.regurgitation, self.dedup.near
        if banding.bands * banding.rows > near.num_perm:
            raise ValueError(
                f"synthetic.regurgitation: bands * rows ({banding.bands} * {banding.rows}) exceeds dedup.near.num_perm "
                f"({near.num_perm})"
            )
        fails_at = self.synthetic.fails_at(self.synthetic.weights.regurgitation)
        at_fail = 1 - (1 - min(fails_at, 1.0) ** banding.rows) ** banding.bands
        if fails_at <= 1 and at_fail < MIN_CANDIDATE_PROBABILITY:
            raise ValueError(
                f"synthetic.regurgitation: {banding.bands} bands of {banding.rows} rows compare a copy at the failing "
                f"similarity {fails_at:.2f} with probability {at_fail:.2f} only; use more bands or fewer rows"
            )
        return self

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[DeclaredSourceParams]) -> list[DeclaredSourceParams]:
        names = [s.name for s in sources]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicates)}")
        return sources

    def digest(self) -> str:
        """sha256 of the effective parameters, recorded in the manifest."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def resolve_path(root: Path, configured: str | Path) -> Path:
    """A path from params.yaml: relative paths are taken from `root`, the directory of params.yaml."""
    path = Path(configured)
    return path if path.is_absolute() else root / path


def load_params(path: Path | str = "params.yaml", overrides: list[str] | tuple[str, ...] = ()) -> Params:
    """Read `path`, apply `--set KEY=VALUE` overrides and validate; raise ParamsError naming the bad key."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: no such parameter file (pass --params PATH)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ParamsError(f"{path}: not valid YAML: {err}") from err
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: the top level must be a mapping of sections")
    for override in overrides:
        _apply_override(raw, override)
    try:
        return Params.model_validate(raw)
    except ValidationError as err:
        problems = "\n".join(f"  {_dotted(e['loc'], raw)}: {e['msg']}" for e in err.errors())
        raise ParamsError(f"{path}: invalid parameters:\n{problems}") from None


def _apply_override(raw: dict[str, Any], override: str) -> None:
    key, sep, text = override.partition("=")
    if not sep or not key.strip():
        raise ParamsError(f"--set {override!r}: expected KEY=VALUE, e.g. clean.min_chars=20")
    try:
        value = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as err:
        raise ParamsError(f"--set {key}: value is not valid YAML: {err}") from err
    *parents, leaf = key.strip().split(".")
    node: Any = raw
    for part in parents:
        node = _child(node, part, key, create=True)
    if isinstance(node, list):
        node[_list_index(node, leaf, key)] = value
    elif isinstance(node, dict):
        node[leaf] = value
    else:
        raise ParamsError(f"--set {key}: {'.'.join(parents)} is not a section")


def _child(node: Any, part: str, key: str, create: bool) -> Any:
    if isinstance(node, list):
        return node[_list_index(node, part, key)]
    if not isinstance(node, dict):
        raise ParamsError(f"--set {key}: {part!r} is below a value, not a section")
    if part not in node and create:
        node[part] = {}
    return node[part]


def _list_index(items: list[Any], part: str, key: str) -> int:
    if part.isdigit() and int(part) < len(items):
        return int(part)
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return index
    raise ParamsError(f"--set {key}: no list item {part!r} (use an index below {len(items)} or a source name)")


def _dotted(loc: tuple[Any, ...], raw: dict[str, Any]) -> str:
    """A pydantic error location as a dotted key, naming sources by their name where possible."""
    parts: list[str] = []
    node: Any = raw
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            item = node[part]
            parts.append(str(item.get("name", part)) if isinstance(item, dict) else str(part))
            node = item
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)
