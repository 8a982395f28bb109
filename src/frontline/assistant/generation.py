"""Generated answers: an endpoint words the answer, allowed only the retrieved passages,
and the answer is used only if every sentence cites a passage and is supported by it.
Otherwise the extractive answer stands; the agent never says what no passage says.

The support check is lexical and deterministic: most of a sentence's content words must
appear in the passages it cites.
"""

import logging
import re
from dataclasses import dataclass

from frontline.assistant.providers import OpenAICompatible, ProviderError
from frontline.lib.sealed import SealedError, unseal

log = logging.getLogger(__name__)
NO_ANSWER = "NO_ANSWER"
SUPPORTED = 0.6  # share of a sentence's content words found in its cited passages
MAX_PASSAGES = 3
_STOP_WORDS = (
    "a an and are as at be but by can could do does for from has have how i if in into is it "
    "its me my not of on or our please so that the their then there these this to was we "
    "what when where which will with would you your"
)
_STOP = frozenset(_STOP_WORDS.split())
PROMPT = (
    "You are the support assistant of {name}. Answer the customer's question using only "
    "the numbered passages. After each sentence, cite the passage it comes from, like [1]. "
    "Do not add anything the passages do not say. If the passages do not answer the "
    f"question, reply exactly {NO_ANSWER}."
)


@dataclass
class Generated:
    text: str
    cited: list[int]  # passage numbers (1-based) the answer cites


def provider_for(config):
    """The workspace's endpoint, or None when generated answers are off."""
    if not (config.generate_answers and config.generation_url and config.generation_model):
        return None
    try:
        key = unseal(config.generation_key)
    except SealedError:
        log.warning("assistant: the generation key cannot be read; extractive answers only")
        return None
    return OpenAICompatible(config.generation_url, config.generation_model, key)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 1}


def supported(text: str, passages: list[str]) -> list[int] | None:
    """The cited passage numbers if every sentence cites passages that support it."""
    # A citation after the full stop ("… PIN. [1]") belongs to the sentence before it.
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+(?!\[)", text.strip()) if s.strip()]
    if not sentences:
        return None
    cited: list[int] = []
    for sentence in sentences:
        numbers = [int(n) for n in re.findall(r"\[(\d+)\]", sentence)]
        if not numbers or any(not 1 <= n <= len(passages) for n in numbers):
            return None
        words = _words(re.sub(r"\[\d+\]", " ", sentence))
        source = set().union(*(_words(passages[n - 1]) for n in numbers))
        if words and len(words & source) / len(words) < SUPPORTED:
            return None
        cited += [n for n in numbers if n not in cited]
    return cited


def generate(provider, workspace_name: str, question: str, passages: list[str]):
    """A supported generated answer, or None (no answer, unsupported, endpoint failed)."""
    passages = passages[:MAX_PASSAGES]
    numbered = "\n\n".join(f"[{n}] {p}" for n, p in enumerate(passages, 1))
    messages = [
        {"role": "system", "content": PROMPT.format(name=workspace_name)},
        {"role": "user", "content": f"Passages:\n{numbered}\n\nQuestion: {question}"},
    ]
    try:
        text = provider.complete(messages).strip()
    except ProviderError as exc:
        log.warning("assistant: generated answer failed: %s", exc)
        return None
    if not text or NO_ANSWER in text:
        return None
    cited = supported(text, passages)
    if cited is None:
        log.info("assistant: a generated answer was not supported by its passages; not used")
        return None
    return Generated(text, cited)
