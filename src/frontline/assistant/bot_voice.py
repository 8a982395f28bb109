"""What the virtual agent says around its answers, in the workspace's chosen tone.

The answers themselves are the articles' words (or a generated wording checked against
them); only these framing sentences change with the tone.
"""

PHRASES = {
    "friendly": {
        "more_detail": "Could you tell me a little more about what you need?",
        "asked_person": "Of course! I am passing you to a person.",
        "upset": "I am sorry this has been difficult. A person from the team will take it "
        "from here.",
        "always_human": "A person from the team will answer this one.",
        "not_sure": "I am not sure I can answer that correctly, so I am passing you to a person.",
        "clarify": "Do you mean “{a}” or “{b}”?",
        "source": "From our article “{title}”.",
        "glad": "Glad it helped! Ask me anything else at any time.",
        "retry": "Sorry about that. Perhaps this is closer:",
        "did_not_help": "Sorry that did not help. I am passing you to a person.",
        "email_intro": "Hello,\n\nThis may answer your question:",
        "email_outro": "If it does not, simply reply to this email and a person from the "
        "team will take it from here.",
    },
    "neutral": {
        "more_detail": "Please describe what you need in a few more words.",
        "asked_person": "Passing you to a person.",
        "upset": "A person from the team will take it from here.",
        "always_human": "A person from the team will answer this.",
        "not_sure": "I cannot answer this with certainty. Passing you to a person.",
        "clarify": "Which one: “{a}” or “{b}”?",
        "source": "Source: “{title}”.",
        "glad": "Good. Ask another question at any time.",
        "retry": "Another article that may fit:",
        "did_not_help": "Passing you to a person.",
        "email_intro": "This may answer your question:",
        "email_outro": "If not, reply to this email and a person will answer.",
    },
    "formal": {
        "more_detail": "Would you kindly describe your request in more detail?",
        "asked_person": "Certainly. I am transferring you to a member of our team.",
        "upset": "We apologise for the inconvenience. A member of our team will assist you "
        "personally.",
        "always_human": "A member of our team will answer this request.",
        "not_sure": "I am unable to answer this with sufficient certainty; I am "
        "transferring you to a member of our team.",
        "clarify": "Could you confirm whether you mean “{a}” or “{b}”?",
        "source": "Source: our article “{title}”.",
        "glad": "We are pleased it was helpful. Please do not hesitate to ask anything further.",
        "retry": "We apologise. The following may be more relevant:",
        "did_not_help": "We apologise. A member of our team will assist you.",
        "email_intro": "Dear customer,\n\nThe following may answer your question:",
        "email_outro": "Should it not, please reply to this email and a member of our team "
        "will assist you.",
    },
}
TONES = tuple(PHRASES)


def say(tone: str, key: str, **values) -> str:
    text = PHRASES.get(tone, PHRASES["friendly"])[key]
    return text.format(**values) if values else text
