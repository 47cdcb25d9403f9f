"""Grouping findings and recommendations that say the same thing, by a method a reader can check.

Each text is reduced to its distinct content words: lower case, words of three letters or more that are not
on a short list of common words, with a plural "s" taken off. Two texts are alike when their word sets share at
least THRESHOLD of their words between them (the Jaccard index: shared words / all words of either). Texts are
taken in a fixed order (report, then number); each joins the existing group whose first text it is most alike,
or starts a new group. To stay fast for thousands of texts, a text is compared only with groups whose first text
has one of its RARE_WORDS rarest words: two texts with half their words in common share a rare one.
No Django imports: the same code is measured by the benchmark and explained in each briefing's notes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Final

THRESHOLD: Final = 0.4
RARE_WORDS: Final = 4
STOPWORDS: Final = frozenset(
    [
        "the",
        "and",
        "for",
        "that",
        "with",
        "this",
        "from",
        "was",
        "were",
        "are",
        "been",
        "has",
        "have",
        "had",
        "not",
        "but",
        "all",
        "any",
        "can",
        "could",
        "should",
        "would",
        "will",
        "may",
        "must",
        "into",
        "onto",
        "about",
        "their",
        "there",
        "they",
        "them",
        "then",
        "than",
        "when",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "where",
        "how",
        "why",
        "its",
        "our",
        "out",
        "over",
        "under",
        "more",
        "most",
        "other",
        "such",
        "only",
        "also",
        "each",
        "both",
        "very",
        "some",
        "same",
        "own",
        "too",
        "just",
        "being",
        "does",
        "did",
        "doing",
        "these",
        "those",
        "his",
        "her",
        "hers",
        "him",
        "she",
        "he",
        "you",
        "your",
        "yours",
        "ours",
        "who's",
        "it's",
        "there's",
        "partnership",
        "board",
        "review",
        "reviews",
        "child",
        "children",
        "agency",
        "agencies",
        "practitioner",
        "practitioners",
        "professional",
        "professionals",
        "ensure",
        "ensuring",
        "need",
        "needs",
        "recommend",
        "recommendation",
        "recommendations",
        "finding",
        "findings",
        "learning",
    ]
)
_WORD = re.compile(r"[a-z](?:[a-z'-]*[a-z])?")


def _word(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 4 else word


def content_words(text: str) -> frozenset[str]:
    return frozenset(_word(w) for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in STOPWORDS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


@dataclass(frozen=True)
class Text:
    report_id: int
    value_id: int
    text: str
    evidence: Any = None  # the value's evidence as stored: [{"page", "start", "end", "quote"}], maybe as JSON text


@dataclass
class Group:
    first: Text
    words: frozenset[str]
    members: list[Text] = field(default_factory=list)

    @property
    def report_ids(self) -> list[int]:
        return sorted({member.report_id for member in self.members})


def group_texts(texts: list[Text], threshold: float = THRESHOLD) -> list[Group]:
    """Groups of alike texts, the most widely shared first (by the number of reviews, then by first appearance)."""
    seen: dict[str, frozenset[str]] = {}
    words = []
    for text in texts:
        if text.text not in seen:
            seen[text.text] = content_words(text.text)
        words.append(seen[text.text])
    frequency: Counter[str] = Counter(word for item in words for word in item)
    groups: list[Group] = []
    index: defaultdict[str, list[int]] = defaultdict(list)
    for text, item in zip(texts, words, strict=True):
        rare = sorted(item, key=lambda word: (frequency[word], word))[:RARE_WORDS]
        candidates = sorted({number for word in rare for number in index[word]})
        best, best_score = None, threshold
        for number in candidates:
            score = jaccard(item, groups[number].words)
            if score >= best_score and (best is None or score > best_score):
                best, best_score = number, score
        if best is None:
            groups.append(Group(first=text, words=item, members=[text]))
            for word in item:
                index[word].append(len(groups) - 1)
        else:
            groups[best].members.append(text)
    order = {id(group): position for position, group in enumerate(groups)}
    return sorted(groups, key=lambda group: (-len(group.report_ids), order[id(group)]))
