"""Files the demo and the content generator make for themselves: a banner image
drawn with Pillow and a small, valid PDF written by hand."""

import functools
import io
import random

from PIL import Image, ImageDraw


@functools.cache
def banner_png(seed=0, size=(1600, 700)):
    """A calm abstract banner: a dusk gradient with a few flight paths, as PNG bytes
    (the same bytes for the same arguments, so drawn and compressed once per process)."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    top, bottom = (18, 53, 91), (183, 196, 210)
    for y in range(height):
        t = y / (height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(3):
        x0, y0 = rng.randint(0, width // 3), rng.randint(height // 3, height)
        x1, y1 = rng.randint(2 * width // 3, width), rng.randint(0, height // 2)
        draw.line([(x0, y0), (x1, y1)], fill=(245, 245, 240), width=4)
        draw.ellipse([x1 - 14, y1 - 14, x1 + 14, y1 + 14], fill=(224, 165, 38))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _pdf_escape(text):
    encoded = text.encode("latin-1", "replace").decode("latin-1")
    return encoded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def simple_pdf(title, lines):
    """A one-page PDF with a title and lines of text (Latin-1 only), as bytes."""
    content = [
        "BT",
        "/F1 18 Tf",
        "72 760 Td",
        f"({_pdf_escape(title)}) Tj",
        "/F1 11 Tf",
        "0 -28 Td",
    ]
    for line in lines:
        content += [f"({_pdf_escape(line)}) Tj", "0 -16 Td"]
    content.append("ET")
    stream = "\n".join(content).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()
