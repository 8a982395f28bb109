"""Upset customers are noticed and languages recognised, offline."""

from frontline.assistant.language import detect_language
from frontline.assistant.tone import read_tone


def test_calm_and_grateful_messages_are_not_flagged():
    for text in ["My card has not arrived yet, what should I do?", "Thanks so much, great help!"]:
        assert not read_tone(text).frustrated
    assert read_tone("Thank you, you were wonderful").sentiment > 0.5


def test_upset_customers_are_flagged_with_the_reasons():
    angry = read_tone("This is ridiculous. Third time I ask and still nothing. Unacceptable!!!")
    assert angry.frustrated and angry.sentiment < 0
    assert {"anger", "exclamations"} <= set(angry.signals)
    leaving = read_tone("If this is not fixed today I will close my account.")
    assert leaving.frustrated and "threat to leave" in leaving.signals
    shouting = read_tone("WHERE IS MY MONEY I SENT IT LAST WEEK")
    assert shouting.frustrated and "all caps" in shouting.signals


def test_repeated_contacts_make_a_negative_message_frustrated():
    text = "I am unhappy that the transfer failed"
    assert not read_tone(text).frustrated
    again = read_tone(text, recent_contacts=3)
    assert again.frustrated and "repeated contacts" in again.signals


def test_languages_are_recognised_and_unclear_text_is_left_blank():
    assert detect_language("My card has not arrived yet, what should I do?") == "en"
    assert detect_language("Ma carte n'est toujours pas arrivée, que dois-je faire ?") == "fr"
    assert detect_language("Meine Karte ist noch nicht angekommen, was soll ich tun?") == "de"
    assert detect_language("¿Por qué no ha llegado mi tarjeta todavía?") == "es"
    assert detect_language("ok") == ""


def test_short_plain_questions_get_their_language():
    # lingua alone left these undecided; fastText's model is sure of them.
    for text in ("My card was stolen", "i havent got my card", "How can I change USD to GBP?"):
        assert detect_language(text) == "en", text
    assert detect_language("Hei, kortet mitt har ikke kommet ennå, hva skal jeg gjøre?") == "nb"
    assert detect_language("THIS IS THE THIRD TIME I ASK, WHERE IS MY MONEY") == "en"
