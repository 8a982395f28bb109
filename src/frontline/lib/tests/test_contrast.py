"""The stylesheet's colours keep WCAG AA contrast (4.5:1 for text) in light and dark mode."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).parents[2] / "static" / "frontline" / "app.css").read_text()
TEXT = ("text", "muted", "accent", "danger", "ok")
BACKGROUNDS = ("bg", "surface", "note")


def palettes() -> dict[str, dict[str, str]]:
    light = CSS.split("@media (prefers-color-scheme: dark)")[0]
    dark = CSS.split("@media (prefers-color-scheme: dark)")[1].split("}")[0]
    return {
        name: dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", block))
        for name, block in (("light", light), ("dark", dark))
    }


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_text_colours_are_readable_on_every_background(mode):
    colours = palettes()[mode]
    pairs = [(fg, bg) for fg in TEXT for bg in BACKGROUNDS] + [("accent-text", "accent")]
    too_faint = {
        f"{fg} on {bg}": round(contrast(colours[fg], colours[bg]), 2)
        for fg, bg in pairs
        if contrast(colours[fg], colours[bg]) < 4.5
    }
    assert too_faint == {}
