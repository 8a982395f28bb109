"""Is the customer upset? Sentiment from VADER's lexicon (shipped in its package), plus
the signals of frustration that a lexicon misses: threats to leave, anger, shouting in
capitals, many exclamation marks, and contacting us again and again."""

import re
from dataclasses import dataclass, field
from functools import cache

NEGATIVE = -0.35  # VADER compound score at or under which the tone counts as negative
REPEAT_CONTACTS = 2  # other tickets from the same customer in the last week

_LEAVING = re.compile(
    r"\b(clos(e|ing) my account|cancel(l?ing)? my (account|card|subscription)|"
    r"switch(ing)? (to another|banks?|provider)|tak(e|ing) my (money|business) elsewhere|"
    r"leav(e|ing) (your|this) (bank|service|company)|never (use|using) you again|"
    r"lawyer|solicitor|legal action|ombudsman|regulator|report you|formal complaint)\b",
    re.IGNORECASE,
)
_ANGER = re.compile(
    r"\b(ridiculous|unacceptable|disgusting|disgrace(ful)?|furious|outrageous|useless|"
    r"pathetic|scam|fed up|sick of|worst|incompetent|joke|angry|livid|third time|"
    r"(still|again) (not|no|nothing))\b",
    re.IGNORECASE,
)


@dataclass
class Tone:
    sentiment: float  # -1 … 1
    frustrated: bool
    signals: list[str] = field(default_factory=list)


@cache
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    words = re.findall(r"\b[^\W\d_]{3,}\b", text)
    loud = [w for w in words if w.isupper()]
    return len(letters) >= 12 and len(loud) >= 3 and len(loud) >= 0.6 * len(words)


def read_tone(text: str, *, recent_contacts: int = 0) -> Tone:
    text = text[:5000]
    score = _analyzer().polarity_scores(text)["compound"] if text.strip() else 0.0
    signals = []
    if score <= NEGATIVE:
        signals.append("negative tone")
    if _LEAVING.search(text):
        signals.append("threat to leave")
    if _ANGER.search(text):
        signals.append("anger")
    if _shouting(text):
        signals.append("all caps")
    if text.count("!") >= 3 or "!!!" in text or "?!" in text:
        signals.append("exclamations")
    if recent_contacts >= REPEAT_CONTACTS:
        signals.append("repeated contacts")
    strong = {"threat to leave", "all caps"} & set(signals)
    frustrated = (
        bool(strong)
        or ("negative tone" in signals and len(signals) >= 2)
        or ("anger" in signals and len(signals) >= 2)
    )
    return Tone(sentiment=round(score, 3), frustrated=frustrated, signals=signals)
