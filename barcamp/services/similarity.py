"""Near-duplicate topic titles, so people join a topic instead of proposing it twice."""

import re
import unicodedata
from difflib import SequenceMatcher

# Words that say nothing about a topic, in French and English.
_STOPWORDS_TEXT = """
    a au aux avec ce ces comment dans de des du en et la le les leur l d un une pour par
    sur qui que quoi quel quelle est sont se sa son ses nos notre vos votre ou pas plus
    the of and to in on for with how what why is are an or by about from our your
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_WORD = re.compile(r"[a-z0-9]+")


def words(title):
    """The meaningful words of a title, lower-case and without accents."""
    plain = unicodedata.normalize("NFKD", title.casefold())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return [word for word in _WORD.findall(plain) if word not in STOPWORDS]


def similarity(first, second):
    """0 (unrelated) to 1 (same words): the better of word overlap and spelling."""
    a, b = words(first), words(second)
    if not a or not b:
        return 0.0
    overlap = len(set(a) & set(b)) / min(len(set(a)), len(set(b)))
    spelling = SequenceMatcher(None, " ".join(a), " ".join(b)).ratio()
    return max(overlap * 0.9, spelling)


def most_similar(title, candidates, *, threshold=0.6, limit=3):
    """The candidates (objects with a `title`) most like `title`, best first."""
    scored = [(similarity(title, c.title), c) for c in candidates]
    scored = [(score, c) for score, c in scored if score >= threshold]
    scored.sort(key=lambda pair: -pair[0])
    return [c for _, c in scored[:limit]]
