"""Turn a body (plain text or HTML) into plain text and paragraph spans."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

# Block tags or closing tags: wire copy writes tickers like "<I>" that are not markup.
HTML_HINT = re.compile(r"<(p|div|br|h[1-6]|li|ul|ol|blockquote|section|article|table)\b[^>]*>|"
                       r"</(p|div|h[1-6]|li|a|span|strong|em|b|i|blockquote|section)>", re.IGNORECASE)
BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "section",
              "article", "header", "footer", "tr", "table", "ul", "ol", "figure", "figcaption", "pre"}
SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "head"}
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]{2,}\S)")
SPACES = re.compile(r"\s+")

Span = tuple[int, int]

# Windows-1252 quotes and dashes decoded as Latin-1 arrive as C1 control characters ("Miami\x92s"):
# read as the characters they were, one for one, so every offset holds.
CP1252 = str.maketrans({chr(b): bytes([b]).decode("cp1252")
                        for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)})


C1_CONTROLS = re.compile("[\x80-\x9f]")


def readable(text: str) -> str:
    """`text` with Windows-1252 characters in place of the C1 controls they were mistaken for; same
    length. Most texts have none: they are returned as they are, without a character-by-character pass."""
    return text.translate(CP1252) if C1_CONTROLS.search(text) else text


def looks_like_html(body: str) -> bool:
    return bool(HTML_HINT.search(body))


class _BlockText(HTMLParser):
    """Collect the text of block elements; drop scripts, styles and markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skipping = 0

    def _flush(self) -> None:
        text = SPACES.sub(" ", "".join(self._current)).strip()
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self._skipping += 1
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_paragraphs(body: str) -> list[str]:
    parser = _BlockText()
    parser.feed(body)
    parser.close()
    return parser.blocks


def plain_paragraph_spans(text: str) -> list[Span]:
    """Split plain text on blank lines and on indented line starts."""
    spans: list[Span] = []
    start = 0
    for match in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        trimmed = chunk.strip()
        if trimmed:
            spans.append((start + lead, start + lead + len(trimmed)))
        if match:
            start = match.end()
    return spans


def join_paragraphs(paragraphs: list[str]) -> tuple[str, list[Span]]:
    """Join cleaned paragraphs with blank lines; return the text and each paragraph's span."""
    spans: list[Span] = []
    pos = 0
    for para in paragraphs:
        spans.append((pos, pos + len(para)))
        pos += len(para) + 2
    return "\n\n".join(paragraphs), spans


def article_text(body: str) -> tuple[str, list[Span]]:
    """Plain text of an incoming article. A plain-text body keeps its characters and offsets."""
    if looks_like_html(body):
        return join_paragraphs(html_paragraphs(body))
    return body, plain_paragraph_spans(body)


def archive_text(body: str) -> tuple[str, list[Span]]:
    """Normalised text of an archive article: paragraphs with collapsed whitespace, Windows-1252
    characters restored (the archive's text is ours to normalise; an incoming article's is not)."""
    if looks_like_html(body):
        return join_paragraphs([readable(p) for p in html_paragraphs(body)])
    paragraphs = [SPACES.sub(" ", readable(unescape(body[s:e]))).strip() for s, e in plain_paragraph_spans(body)]
    return join_paragraphs([p for p in paragraphs if p])
