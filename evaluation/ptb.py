"""Penn Treebank tokens back to news text (Timeline17 and the Causal News Corpus are tokenised).

Standard library only: the category trainer (training/categories/) imports it without the service's
dependencies.
"""

from __future__ import annotations

import re

PTB = [("-LRB-", "("), ("-RRB-", ")"), ("-LSB-", "["), ("-RSB-", "]"), ("-LCB-", "{"), ("-RCB-", "}"),
       ("``", '"'), ("''", '"'), ("\\/", "/")]


def detokenise(sentence: str) -> str:
    """PTB tokens back to news text: `Egypt 's` -> `Egypt's`, `-LRB- 2153 GMT -RRB-` -> `(2153 GMT)`."""
    for token, text in PTB:
        sentence = sentence.replace(token, text)
    sentence = re.sub(r" (n't|'s|'re|'ve|'m|'ll|'d)\b", r"\1", sentence)
    sentence = re.sub(r" ([.,;:!?%)\]}])", r"\1", sentence)
    sentence = re.sub(r"([(\[{$]) ", r"\1", sentence)
    sentence = re.sub(r'" (.*?) "', r'"\1"', sentence)
    return sentence.strip()
