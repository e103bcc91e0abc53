"""Files the demo draws for itself, nothing downloaded: portraits and charts with Pillow,
and report PDFs with fpdf2 made from a publication's own text.

A PDF has a cover with the banner, the summary, one section per paragraph of the body,
each with a chart, and a closing page about the authors, so it runs to several pages and
weighs what a report does (a few hundred kilobytes). The charts are illustrations drawn
from a seed, not data. Cyrillic needs a Unicode font: the first of ``FONT_PATHS`` found is
used (DejaVu Sans ships with most Linux systems and with fonts-dejavu on Debian); without
one, Russian text is written in Latin transliteration so the file is still valid.
"""

import functools
import io
import random
import re
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter

FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)

BANNERS, CHARTS = 6, 9  # distinct pictures the reports draw from

PALETTE = [
    ((33, 60, 96), (196, 207, 220)),
    ((86, 46, 64), (229, 205, 196)),
    ((30, 78, 72), (200, 224, 214)),
    ((70, 62, 34), (234, 222, 190)),
    ((45, 45, 78), (208, 206, 232)),
]
SKIN = [(241, 206, 180), (224, 178, 146), (198, 144, 110), (160, 110, 80), (232, 190, 160)]
HAIR = [(40, 30, 25), (95, 64, 40), (160, 120, 70), (200, 170, 110), (120, 120, 120)]


def _png(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@functools.cache
def portrait_png(seed, size=400):
    """A head-and-shoulders silhouette in flat colours, different for each seed (PNG bytes),
    drawn and compressed once per process: the demo loads again under each test clock."""
    rng = random.Random(f"portrait:{seed}")
    dark, light = rng.choice(PALETTE)
    image = Image.new("RGB", (size, size), light)
    draw = ImageDraw.Draw(image)
    for y in range(size):
        t = y / size
        draw.line(
            [(0, y), (size, y)],
            fill=tuple(int(b + (a - b) * t * 0.35) for a, b in zip(dark, light, strict=True)),
        )
    skin, hair = rng.choice(SKIN), rng.choice(HAIR)
    coat = tuple(max(0, c - rng.randint(0, 30)) for c in dark)
    cx = size // 2 + rng.randint(-size // 20, size // 20)
    # shoulders and collar
    draw.ellipse([cx - size * 0.42, size * 0.72, cx + size * 0.42, size * 1.35], fill=coat)
    draw.polygon(
        [(cx - size * 0.09, size * 0.72), (cx, size * 0.86), (cx + size * 0.09, size * 0.72)],
        fill=(245, 245, 240),
    )
    # neck, head, hair
    draw.rectangle([cx - size * 0.06, size * 0.55, cx + size * 0.06, size * 0.75], fill=skin)
    head = [cx - size * 0.15, size * 0.22, cx + size * 0.15, size * 0.62]
    long_hair = rng.random() < 0.45
    if long_hair:
        draw.rounded_rectangle(
            [head[0] - size * 0.04, head[1] - size * 0.02, head[2] + size * 0.04, size * 0.7],
            radius=int(size * 0.14),
            fill=hair,
        )
    draw.ellipse(head, fill=skin)
    draw.chord(
        [
            head[0] - size * 0.01,
            head[1] - size * 0.03,
            head[2] + size * 0.01,
            head[3] - size * 0.12,
        ],
        180,
        360,
        fill=hair,
    )
    if rng.random() < 0.35:  # glasses
        for side in (-1, 1):
            x = cx + side * size * 0.065
            draw.ellipse(
                [x - size * 0.05, size * 0.4, x + size * 0.05, size * 0.46],
                outline=(30, 30, 30),
                width=max(2, size // 130),
            )
    return _png(image.filter(ImageFilter.SMOOTH))


def _photo_texture(image, rng, strength=26):
    """Film-like grain, so the picture compresses like a photograph rather than a diagram."""
    return Image.blend(image, _noise(image.size, strength), 0.10 + rng.random() * 0.04)


@functools.cache
def _noise(size, strength):
    """Grain of one size, made once: drawing it is the slowest step of a picture."""
    return Image.effect_noise(size, strength).convert("RGB")


def banner_image(seed, size=(1600, 700)):
    """A dusk sky with flight paths and a little grain (a Pillow image)."""
    rng = random.Random(f"banner:{seed}")
    width, height = size
    top, bottom = rng.choice(PALETTE)
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    horizon = int(height * rng.uniform(0.68, 0.8))
    points = [(0, height)]
    for x in range(0, width + 80, 80):
        points.append((x, horizon - rng.randint(0, height // 9)))
    points.append((width, height))
    draw.polygon(points, fill=tuple(max(0, c - 12) for c in top))
    for _ in range(rng.randint(2, 4)):
        x0, y0 = rng.randint(0, width // 3), rng.randint(height // 3, horizon)
        x1, y1 = rng.randint(2 * width // 3, width), rng.randint(0, height // 2)
        draw.line([(x0, y0), (x1, y1)], fill=(245, 245, 240), width=4)
        draw.ellipse([x1 - 14, y1 - 14, x1 + 14, y1 + 14], fill=(224, 165, 38))
    return _photo_texture(image, rng)


def banner_png(seed):
    return _png(banner_image(seed))


def chart_image(seed, size=(1400, 760)):
    """A bar chart with a trend line: an illustration for a report (a Pillow image)."""
    rng = random.Random(f"chart:{seed}")
    width, height = size
    image = Image.new("RGB", size, (252, 251, 247))
    draw = ImageDraw.Draw(image)
    left, bottom, top = 90, height - 70, 50
    for step in range(6):
        y = bottom - step * (bottom - top) // 5
        draw.line([(left, y), (width - 40, y)], fill=(215, 215, 210), width=2)
    bars = rng.randint(8, 14)
    slot = (width - left - 60) // bars
    dark, light = rng.choice(PALETTE)
    values = [rng.uniform(0.15, 0.95) for _ in range(bars)]
    trend = []
    for index, value in enumerate(values):
        x = left + 20 + index * slot
        y = bottom - int(value * (bottom - top))
        draw.rectangle([x, y, x + slot * 0.62, bottom], fill=dark)
        draw.rectangle([x + slot * 0.62, y + 18, x + slot * 0.8, bottom], fill=light)
        trend.append((x + slot * 0.4, y - rng.randint(10, 60)))
    draw.line(trend, fill=(200, 120, 30), width=5)
    draw.line([(left, top), (left, bottom), (width - 40, bottom)], fill=(60, 60, 60), width=3)
    return _photo_texture(image, rng, strength=18)


_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_LATIN = (
    "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split()  # noqa: SIM905
)
_TRANSLIT = {
    **{c: "" if t == "-" else t for c, t in zip(_CYRILLIC, _LATIN, strict=True)},
    **{
        c.upper(): "" if t == "-" else t.capitalize()
        for c, t in zip(_CYRILLIC, _LATIN, strict=True)
    },
}
_PLAIN = {
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "…": "...",
}


_PLAIN_TABLE = str.maketrans(_PLAIN)


def _latin(text):
    return (
        "".join(_PLAIN.get(c, _TRANSLIT.get(c, c)) for c in text)
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def _font_path():
    for path in FONT_PATHS:
        if Path(path).is_file():
            return path
    return None


def _needs_unicode(text):
    return any(ord(character) > 0x2FF for character in text.translate(_PLAIN_TABLE))


def paragraphs_of(html):
    """The paragraphs of a sanitized body as plain text."""
    parts = re.findall(r"<p>(.*?)</p>", html, flags=re.S)
    return [re.sub(r"<[^>]+>", "", part).strip() for part in parts if part.strip()]


@functools.cache
def _jpeg_bytes(kind, seed):
    """A drawn picture as JPEG, made once per process: the demo's reports share a few
    pictures (drawing and encoding each anew would make ``load_demo`` slow)."""
    image = banner_image(seed, size=(1600, 900)) if kind == "banner" else chart_image(seed)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _jpeg(kind, seed):
    return io.BytesIO(_jpeg_bytes(kind, seed))


def report_pdf(
    *, seed, title, kind, date, authors, summary, paragraphs, about, labels, sections=0, figures=99
):
    """A report as PDF bytes: cover with banner, summary, a section per paragraph with a
    chart (the first ``figures`` of them), an annex of further charts up to ``sections``
    in all, and a page about the authors. ``labels`` names the headings in the report's language."""
    # Latin text needs no font file: PDF's built-in Helvetica is quick to write. Cyrillic
    # needs a Unicode font, parsed and subset per file (slower).
    font = _font_path() if _needs_unicode(title + summary + "".join(paragraphs)) else None
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_title(title)
    pdf.set_author(", ".join(authors))
    pdf.set_creator("Dialogue Portal demo")
    if font:
        pdf.add_font("Body", "", font)
        family, text = "Body", str
    else:
        family, text = "Helvetica", _latin

    def heading(words, size=16):
        pdf.set_font(family, size=size)
        pdf.multi_cell(0, size * 0.5, text(words))
        pdf.ln(3)

    def body(words):
        pdf.set_font(family, size=11)
        pdf.multi_cell(0, 6, text(words))
        pdf.ln(3)

    pdf.add_page()
    pdf.image(_jpeg("banner", seed % BANNERS), x=10, y=10, w=190)
    pdf.set_y(122)
    pdf.set_font(family, size=10)
    pdf.cell(0, 8, text(f"{kind}, {date}"))
    pdf.ln(12)
    heading(title, size=22)
    body(", ".join(authors))
    pdf.add_page()
    heading(labels["summary"])
    body(summary)
    for number, paragraph in enumerate(paragraphs, start=1):
        if number > 1:
            pdf.add_page()
        heading(f"{number}. {labels['section']} {number}", size=14)
        body(paragraph)
        if number > figures:
            continue
        pdf.image(_jpeg("chart", (seed + number) % CHARTS), w=170)
        pdf.set_font(family, size=9)
        pdf.multi_cell(0, 5, text(f"{labels['figure']} {number}. {labels['figure_note']}"))
    for number in range(len(paragraphs) + 1, sections + 1):
        pdf.add_page()
        heading(f"{labels['annex']} {number}", size=14)
        pdf.image(_jpeg("chart", (seed + number) % CHARTS), w=170)
        pdf.set_font(family, size=9)
        pdf.multi_cell(0, 5, text(f"{labels['figure']} {number}. {labels['figure_note']}"))
    pdf.add_page()
    heading(labels["about"])
    for line in about:
        body(line)
    pdf.set_font(family, size=8)
    pdf.multi_cell(0, 5, text(labels["footer"]))
    return bytes(pdf.output())
