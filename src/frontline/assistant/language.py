"""Which language a message is written in (lingua, models shipped in its package).

The detector knows a fixed set of widely used languages; a short or mixed message whose
language is not clear gives "" rather than a guess.
"""

from functools import cache

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


@cache
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in LANGUAGES]
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_minimum_relative_distance(0.1)
        .build()
    )


def detect_language(text: str) -> str:
    """ISO 639-1 code in lower case ("en", "fr"), or "" when unclear."""
    text = (text or "").strip()[:2000]
    if len(text) < 8:
        return ""
    found = _detector().detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found else ""
