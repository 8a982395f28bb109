"""The sentence encoder reads a question once per process even when several parts of a
request ask for it (intent model, knowledge search, best passage), and a caller can
never spoil what the next one gets."""

import numpy as np

from frontline.assistant.ml import encoders


def test_a_question_asked_again_is_not_encoded_again_and_cannot_be_spoiled():
    encoder = encoders.get_encoder("minilm")
    question = "my new card still has not arrived, what should I do?"
    first = encoder.encode([question])
    runs = encoders._minilm_one.cache_info()
    first[:] = 0  # a caller writing into its result
    again = encoders.get_encoder("minilm").encode([question])
    assert encoders._minilm_one.cache_info().hits == runs.hits + 1
    assert abs(float(np.linalg.norm(again[0])) - 1.0) < 1e-5
    together = encoder.encode([question, "how do I get a refund for a card payment?"])
    np.testing.assert_allclose(again[0], together[0], atol=1e-4)
