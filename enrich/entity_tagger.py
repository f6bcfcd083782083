"""Names in a sentence (PER, ORG, LOC, MISC), tagged by the pretrained encoder fine-tuned on
CoNLL-2003 (training/ner_encoder/): MiniLM-L6 with each word's casing class in the token-type slot,
run by onnxruntime on one thread (int8 weights). Ships as the `newsroom_ner_encoder` wheel; loaded
once per process. enrich/encoder_names.py runs it over spaCy's words, consecutive sentences in one
window (PACK).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from enrich.onnx_model import OnnxModel

LABELS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC")
CASING_CLASSES = 5
MAX_TOKENS = 128  # word pieces a window, as in training; a longer sentence is read in windows
OVERLAP = 32  # word pieces two consecutive windows share (a quarter of a window)
PACK = True  # consecutive sentences read in one window, up to MAX_TOKENS pieces


def casing(word: str) -> int:
    """0 lower case or no letters, 1 capitalised, 2 all capitals, 3 with a digit, 4 mixed ("iPhone")."""
    if any(c.isdigit() for c in word):
        return 3
    letters = [c for c in word if c.isalpha()]
    if not letters or all(c.islower() for c in letters):
        return 0
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return 2
    return 1 if letters[0].isupper() else 4


# English function words that open a sentence without being a name; "May", "Will" and "US" can be one.
SENTENCE_OPENERS = frozenset(STOP_WORDS - {"may", "will", "us"})


def nameless(words: Sequence[str]) -> bool:
    """Whether a sentence can hold no name: every word after the first in lower case (or without
    letters), and the first too, or a capitalised function word ("He", "But", "The"). The tagger
    skips it (on CoNLL-2003 train's choice documents, none of the 76 such sentences holds a gold
    name; they are 16% of a gva_news article's sentences)."""
    if any(casing(word) != 0 for word in words[1:]):
        return False
    return not words or casing(words[0]) == 0 or (casing(words[0]) == 1 and words[0].lower() in SENTENCE_OPENERS)


def spans_of(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """IOB2 tags -> (first word, end word, type) spans; an I- that does not continue a span starts one."""
    spans: list[tuple[int, int, str]] = []
    start, kind = None, None
    for i, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-") and kind == tag[2:]
        if start is not None and not inside:
            spans.append((start, i, kind))
            start, kind = None, None
        if tag != "O" and not inside:
            start, kind = i, tag[2:]
    return spans


def _allowed() -> np.ndarray:
    """allowed[a, b]: tag b may follow tag a (IOB2: I-X only after B-X or I-X); row -1 is the start."""
    allowed = np.ones((len(LABELS) + 1, len(LABELS)), dtype=bool)
    for b, tag in enumerate(LABELS):
        if tag.startswith("I-"):
            allowed[:, b] = False
            allowed[LABELS.index("B-" + tag[2:]), b] = allowed[b, b] = True
    return allowed


ALLOWED = np.where(_allowed(), 0.0, -np.inf)


def viterbi(logits: np.ndarray) -> list[int]:
    """The most probable well-formed tag sequence for one sentence's words (their first pieces'
    logits): a name is never half one type and half another ("Al" ORG, "Jazeera" LOC)."""
    scores = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)  # log-probabilities
    total = ALLOWED[-1] + scores[0]
    back = []
    for row in scores[1:]:
        step = total[:, None] + ALLOWED[:-1]
        back.append(step.argmax(0))
        total = step.max(0) + row
    path = [int(total.argmax())]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    return path[::-1]


class EntityTagger(OnnxModel):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        marks = self.tokenizer.encode(["a"], is_pretokenized=True).ids
        self.cls, self.sep = marks[0], marks[-1]

    def tag(self, sentences: list[list[str]]) -> list[list[tuple[int, int, str]]]:
        """For each sentence (its words), the names found: (first word, end word, type). A sentence
        longer than MAX_TOKENS word pieces (a table, lines a wire story runs together) is read in
        overlapping windows of whole words (`_stitch` joins them where no name is cut).

        One window a run, not batches: no padding, and a window is tagged the same whatever other
        windows are read (int8 activations are scaled per run: batched, "Shell Oil" lost its
        "Oil"). A window holds consecutive sentences (PACK, since tagger 0.3.0, which was trained
        reading them so): one run per window rather than per sentence, and a name read in its
        paragraph. A sentence that can hold no name (`nameless`) is not read."""
        found: list[list[tuple[int, int, str]]] = [[] for _ in sentences]
        readable = [i for i, words in enumerate(sentences) if not nameless(words)]
        pieces = dict(zip(readable, self._word_pieces([sentences[i] for i in readable]), strict=True))
        for pack in self._packs(readable, {i: sum(map(len, pieces[i])) for i in readable}):
            words = [w for i in pack for w in sentences[i]]
            windows = []
            for ids, types, starts in self._windows(words, [p for i in pack for p in pieces[i]]):
                feed = {"input_ids": np.array([ids], dtype=np.int64),
                        "token_type_ids": np.array([types], dtype=np.int64),
                        "attention_mask": np.ones((1, len(ids)), dtype=np.int64)}
                logits = self.session.run(None, feed)[0][0]
                firsts = [(j, word) for j, word in enumerate(starts) if word is not None]
                labels = viterbi(logits[[j for j, _ in firsts]])
                windows.append({word: LABELS[label] for (_, word), label in zip(firsts, labels, strict=True)})
            tags, at = _stitch(windows, len(words)), 0
            for i in pack:  # each sentence its own tags: no name runs across two
                found[i] = spans_of(tags[at:at + len(sentences[i])])
                at += len(sentences[i])
        return found

    def _word_pieces(self, sentences: list[list[str]]) -> list[list[list[int]]]:
        """Each sentence's words as word-piece ids (a word with no piece at all, "\u200b", has none),
        without [CLS] and [SEP]: each sentence encoded once, whatever it is packed with."""
        out = []
        encodings = self.tokenizer.encode_batch(sentences, is_pretokenized=True, add_special_tokens=False)
        for sentence, encoding in zip(sentences, encodings, strict=True):
            words: list[list[int]] = [[] for _ in sentence]
            for piece, word in zip(encoding.ids, encoding.word_ids, strict=True):
                if word is not None:
                    words[word].append(piece)
            out.append(words)
        return out

    @staticmethod
    def _packs(readable: list[int], pieces: dict[int, int]) -> list[list[int]]:
        """The sentences read together (of those that may hold a name, `readable`, with their word
        pieces): with PACK, consecutive ones, as many as fit one window (a sentence longer than a
        window alone); else each alone."""
        if not PACK:
            return [[i] for i in readable]
        packs: list[list[int]] = []
        size = 0
        for i in readable:
            if packs and packs[-1][-1] == i - 1 and size + pieces[i] <= MAX_TOKENS - 2:
                packs[-1].append(i)
                size += pieces[i]
            else:
                packs.append([i])
                size = pieces[i]
        return packs

    def _windows(self, words: list[str], pieces: list[list[int]] | None = None,
                 ) -> list[tuple[list[int], list[int], list[int | None]]]:
        """Words (a sentence, or a pack of them) cut at word boundaries into windows of at most
        MAX_TOKENS pieces with their [CLS] and [SEP]: each window's piece ids, casing classes, and for
        each piece the word it starts (None otherwise). `pieces`: each word's piece ids, when the
        caller has them (else encoded here). Each window after the first starts OVERLAP pieces back
        into the one before, so a name at a cut is read whole in one of them. A word longer than a
        window is cut; words with no word piece at all ("\u200b" alone) have no window."""
        if pieces is None:
            pieces = self._word_pieces([words])[0]
        cls, sep = self.cls, self.sep
        room = MAX_TOKENS - 2
        order = [(word, ids[:room]) for word, ids in enumerate(pieces) if ids]
        if not order:
            return []
        out: list[tuple[list[int], list[int], list[int | None]]] = []
        first = 0
        while True:
            ids, types, starts, end = [cls], [0], [None], first
            while end < len(order) and len(ids) - 1 + len(order[end][1]) <= room:
                word, its = order[end]
                ids += its
                types += [casing(words[word])] * len(its)
                starts += [word] + [None] * (len(its) - 1)
                end += 1
            out.append((ids + [sep], types + [0], starts + [None]))
            if end >= len(order):
                return out
            back, size = end, 0  # the next window starts OVERLAP pieces back, one word on at least
            while back - 1 > first and size + len(order[back - 1][1]) <= OVERLAP:
                back -= 1
                size += len(order[back][1])
            first = back


def _stitch(windows: list[dict[int, str]], length: int) -> list[str]:
    """One tag a word from overlapping windows: each word takes the tags of the window it is read
    in, and where two windows overlap the cut goes at a word that neither window has inside a name
    (tagged O or starting one), the one nearest the middle of the overlap; at the middle if none."""
    tags = ["O"] * length
    if not windows:
        return tags
    cut = min(windows[0], default=0)
    for before, after in pairwise(windows):
        shared = sorted(set(before) & set(after))
        clean = [w for w in shared if not before[w].startswith("I-") and not after[w].startswith("I-")]
        middle = shared[len(shared) // 2] if shared else min(after)
        end = min(clean, key=lambda w: abs(w - middle)) if clean else middle
        for word in range(cut, end):
            tags[word] = before.get(word, tags[word])
        cut = end
    for word, tag in windows[-1].items():
        if word >= cut:
            tags[word] = tag
    return tags


@lru_cache(maxsize=1)
def tagger() -> EntityTagger:
    import newsroom_ner_encoder  # the wheel built by training/ner_encoder/train.sh

    return EntityTagger(Path(newsroom_ner_encoder.__file__).parent)
