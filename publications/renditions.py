"""Banner renditions: WebP copies of a banner at the widths pages show it.

An editor uploads one banner (JPEG, PNG or WebP, up to 40 megapixels); a phone should not
download all of it to show it 400 pixels wide. When the admin saves a publication, each
width in ``WIDTHS`` smaller than the original is written beside it as WebP, and their names
are kept on the publication, so pages offer them in ``srcset`` with the original as the
largest choice. A publication whose banner changed gets new ones; one without renditions
(saved before they existed, or with a banner smaller than every width) shows the original.
"""

import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

WIDTHS = (480, 960, 1600)
QUALITY = 80


def refresh_banner_renditions(publication):
    """Make the banner's renditions unless they are there already; returns the sizes."""
    banner = publication.banner_image
    known = publication.banner_renditions or {}
    if not banner:
        wanted = {}
    elif known.get("source") == banner.name:
        return known.get("sizes", [])
    else:
        wanted = {"source": banner.name, "sizes": _render(banner)}
    if wanted != known:
        type(publication).objects.filter(pk=publication.pk).update(banner_renditions=wanted)
        publication.banner_renditions = wanted
    return wanted.get("sizes", [])


def _render(banner):
    stem = PurePosixPath(banner.name).with_suffix("")
    sizes = []
    with banner.open("rb") as handle, Image.open(handle) as original:
        image = ImageOps.exif_transpose(original)
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        for width in WIDTHS:
            if width >= image.width:
                break
            height = round(image.height * width / image.width)
            buffer = io.BytesIO()
            image.resize((width, height), Image.Resampling.LANCZOS).save(
                buffer, "WEBP", quality=QUALITY, method=4
            )
            name = banner.storage.save(f"{stem}-{width}w.webp", ContentFile(buffer.getvalue()))
            sizes.append({"width": width, "height": height, "name": name})
    return sizes


def srcset(publication):
    """The ``srcset`` value for the banner: each rendition, then the original at its width."""
    banner = publication.banner_image
    sizes = (publication.banner_renditions or {}).get("sizes") or []
    if not banner or not sizes or not publication.banner_width:
        return ""
    parts = [f"{banner.storage.url(size['name'])} {size['width']}w" for size in sizes]
    parts.append(f"{banner.url} {publication.banner_width}w")
    return ", ".join(parts)
