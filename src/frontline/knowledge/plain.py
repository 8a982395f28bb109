"""An article's Markdown as the plain text a customer reads in a chat, an email or a short
answer: no `**` or `#`, lines of a paragraph joined, list items on lines of their own,
links as "text (address)", table rows as "cell | cell"."""

from django.conf import settings
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def to_plain(markdown: str) -> str:
    blocks: list[tuple[str, str]] = []  # (kind, text): list items and table rows sit
    # line by line; anything else is a paragraph of its own
    lists: list[int | None] = []  # per open list: the next number, or None for bullets
    marker = ""
    row: list[str] | None = None
    for tok in _markdown.parse(markdown or ""):
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(None if kind == "bullet_list_open" else int(tok.attrGet("start") or 1))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            number = lists[-1]
            marker = "  " * (len(lists) - 1) + ("- " if number is None else f"{number}. ")
            if number is not None:
                lists[-1] = number + 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            blocks.append(("row", " | ".join(row)))
            row = None
        elif kind == "inline":
            text = _inline(tok.children or [])
            if row is not None:
                row.append(text)
            elif marker:
                blocks.append(("item", marker + text))
                marker = ""
            else:
                blocks.append(("item" if lists else "para", text))
        elif kind in ("fence", "code_block"):
            blocks.append(("para", tok.content.rstrip("\n")))
    out = ""
    for i, (kind, text) in enumerate(blocks):
        if i:
            same = kind == blocks[i - 1][0] and kind in ("item", "row")
            out += "\n" if same else "\n\n"
        out += text
    return out.strip()


def _inline(children) -> str:
    parts: list[str] = []
    href = ""
    start = 0
    for tok in children:
        if tok.type in ("text", "code_inline"):
            parts.append(tok.content)
        elif tok.type == "softbreak":
            parts.append(" ")
        elif tok.type == "hardbreak":
            parts.append("\n")
        elif tok.type == "image":
            parts.append(tok.content)  # its alt text
        elif tok.type == "link_open":
            href, start = tok.attrGet("href") or "", len(parts)
        elif tok.type == "link_close" and href:
            shown = "".join(parts[start:])
            address = settings.FRONTLINE_BASE_URL + href if href.startswith("/") else href
            if address != shown:
                parts.append(f" ({address})")
            href = ""
    return "".join(parts).strip()
