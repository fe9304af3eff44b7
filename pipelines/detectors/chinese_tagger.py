"""Chinese words and their part-of-speech tags as jieba.posseg gives them (HMM on), at a fraction of the cost.

jieba.posseg first cuts a sentence by its dictionary. Where that leaves a run of single characters the dictionary
lacks as a whole, it cuts the run again with its part-of-speech HMM (Viterbi): that is how it finds unknown names
(王 芳 说 -> 王芳/nr 说/v), and it is most of its cost. `ChineseTagger` gets the dictionary cut from rjieba (the
same dictionary and tags, in Rust) and runs the HMM only on the runs its caller says may matter, with a Viterbi
in numpy that gives jieba's results 15x faster. rjieba's own HMM is not used: it cuts unknown runs with another model
(庞昱琦说 as one word), so its names are not jieba.posseg's.

`names.py` asks for the runs that may hold a person's name; the rest keep their dictionary tags, so the tokens are
jieba.posseg's wherever a name could be.
"""

from __future__ import annotations

import functools
import importlib.util
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

_IMPOSSIBLE = -3.14e100  # jieba's log probability of an emission it never saw


class ChineseTagger:
    """(word, tag) tokens of Chinese text; build once per worker (about 0.4 s), then read-only and thread-safe."""

    def __init__(self) -> None:
        import rjieba  # here, not at the top: a process that tags nothing (the run's launcher) saves 0.1 s

        # A private dictionary, so that words other code adds to rjieba's default one do not change ours.
        self._jieba = rjieba.Jieba()
        _matrices()  # load the HMM now, not while the first record waits

    def is_word(self, text: str) -> bool:
        """Whether `text` is a word of jieba's dictionary."""
        return self._jieba.has_word(text)

    def tag(self, sentence: str, may_matter: Callable[[str, str | None], bool]) -> list[tuple[str, str]]:
        """(word, tag) of each token of `sentence`. The runs of unknown characters for which
        `may_matter(run, word_before)` holds are cut by jieba.posseg's HMM; the others keep one token per character.
        """
        tokens: list[tuple[str, str]] = []
        run: list[tuple[str, str]] = []
        for word, tag in [*self._jieba.tag(sentence, False), ("", "")]:  # ("", "") closes the last run
            if len(word) == 1 and "\u4e00" <= word <= "\u9fd5":  # a Han character, as jieba.posseg's HMM reads them
                run.append((word, tag))
                continue
            if run:
                chars = "".join(char for char, _ in run)
                if len(run) > 1 and not self.is_word(chars) and may_matter(chars, tokens[-1][0] if tokens else None):
                    tokens += hmm_cut(chars)
                else:
                    tokens += run
                run = []
            tokens.append((word, tag))
        return tokens[:-1]


def jieba_file(name: str) -> Path:
    """A data file of the installed jieba package, found without importing jieba (which takes 0.4 s)."""
    return Path(importlib.util.find_spec("jieba").origin).parent / name


@functools.lru_cache(maxsize=8192)  # names and phrases recur
def hmm_cut(chars: str) -> tuple[tuple[str, str], ...]:
    """`chars` (Han characters) cut and tagged by jieba.posseg's HMM, as jieba.posseg cuts an unknown run."""
    states = _viterbi(chars)
    tokens, begin = [], 0
    for i, (position, tag) in enumerate(states):
        if position in "ES":  # the end of a word, or a word of one character
            tokens.append((chars[begin : i + 1], tag))
            begin = i + 1
    if begin < len(chars):
        tokens.append((chars[begin:], states[begin][1]))
    return tuple(tokens)


def _viterbi(chars: str) -> list[tuple[str, str]]:
    """The most likely (position, tag) state of each character: `jieba.posseg.viterbi`'s result and arithmetic.

    jieba looks for each state's best predecessor among all states of the previous character, in Python; here
    numpy does it for all of a character's states at once (15x faster). Ties go to the greater state, as
    jieba's `max((score, state))` does: states are kept sorted, and the last of equal maxima is taken.
    """
    hmm = _matrices()
    live, emissions = _char_states(chars[0])  # the states a character may be in, sorted, and their scores
    scores = hmm.start[live] + emissions
    pointers = []  # per character: the states before it, and which of them each of its live states comes from
    for char in chars[1:]:
        states, emissions = _char_states(char)
        best, rows = _best_predecessors(scores, live, states, emissions)
        if not np.isfinite(best).any():  # no state of this character can follow: jieba takes every state that can
            states = np.flatnonzero(np.isfinite(hmm.transitions[live]).any(axis=0))
            best, rows = _best_predecessors(scores, live, states, _emissions(char, states))
        reached = np.isfinite(best)
        pointers.append((live, rows[reached]))
        live, scores = states[reached], best[reached]
    i = int(_last_argmax(scores))
    path = [live[i]]
    for before, rows in reversed(pointers):
        i = rows[i]
        path.append(before[i])
    return [hmm.states[state] for state in reversed(path)]


def _best_predecessors(
    scores: np.ndarray, live: np.ndarray, states: np.ndarray, emissions: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The best score of each of `states` (-inf where no live state can precede it) and the row in `live` of the
    state it comes from."""
    # Summed in jieba's order (score + transition + emission), so that the floats are jieba's.
    candidates = (scores[:, None] + _matrices().transitions[live[:, None], states]) + emissions
    return candidates.max(axis=0), _last_argmax(candidates)


def _last_argmax(values: np.ndarray) -> np.ndarray:
    """Index of the last maximum along the first axis (jieba's tie-break: the greater state wins)."""
    return len(values) - 1 - values[::-1].argmax(axis=0)


class _Matrices(NamedTuple):
    states: list[tuple[str, str]]  # sorted, as jieba's tie-break compares them
    index: dict[tuple[str, str], int]  # position of each state in `states`
    start: np.ndarray
    transitions: np.ndarray  # [from, to] log probabilities, -inf where jieba has no transition


@functools.cache
def _matrices() -> _Matrices:
    """jieba.posseg's HMM start and transition log probabilities as arrays over its sorted states."""
    _, start, transitions, _ = _model()
    states = sorted(transitions)
    index = {state: i for i, state in enumerate(states)}
    matrix = np.full((len(states), len(states)), -np.inf)
    for x, following in transitions.items():
        for y, probability in following.items():
            matrix[index[x], index[y]] = probability
    return _Matrices(states, index, np.array([start[state] for state in states]), matrix)


@functools.lru_cache(maxsize=16384)  # one entry per distinct character
def _char_states(char: str) -> tuple[np.ndarray, np.ndarray]:
    """The states jieba allows for `char` (all states for a character it does not list), and their emissions."""
    states_of, _, transitions, _ = _model()
    index = _matrices().index
    states = np.array(sorted(index[state] for state in states_of.get(char, transitions)), dtype=np.intp)
    return states, _emissions(char, states)


def _emissions(char: str, states: np.ndarray) -> np.ndarray:
    """Log probabilities of `char` in each of `states`; jieba's `_IMPOSSIBLE` for one it never saw there."""
    emissions, all_states = _model()[3], _matrices().states
    return np.array([emissions[all_states[i]].get(char, _IMPOSSIBLE) for i in states])


@functools.cache
def _model() -> tuple[dict, dict, dict, dict]:
    """jieba.posseg's HMM: the states of each character, start, transition and emission log probabilities. Read
    from the pickles jieba ships with them (0.1 s): importing jieba.posseg would load jieba's dictionary as well,
    which rjieba already holds (1 s more)."""
    states_of, start, transitions, emissions = (
        pickle.loads(jieba_file(f"posseg/{name}.p").read_bytes())
        for name in ("char_state_tab", "prob_start", "prob_trans", "prob_emit")
    )
    return states_of, start, transitions, emissions
