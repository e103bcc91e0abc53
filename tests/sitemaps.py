"""The sitemap as a harvester reads it: the index at /sitemap.xml, then each page it names."""

from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from dialogue_portal.core.links import IdBlockSitemap

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def section_pages(client, **headers):
    """The path (with its ``?p=``) of every sitemap page the index names."""
    index = client.get("/sitemap.xml", **headers)
    assert index.status_code == 200
    root = ET.fromstring(index.content)  # noqa: S314 - our own output
    paths = []
    for loc in root.findall("s:sitemap/s:loc", NS):
        address = urlsplit(loc.text)
        paths.append(address.path + (f"?{address.query}" if address.query else ""))
    return paths


def sitemap_pages(client, **headers):
    """The text of every sitemap page the index names."""
    texts = []
    for path in section_pages(client, **headers):
        response = client.get(path, **headers)
        assert response.status_code == 200, path
        texts.append(response.content.decode())
    return texts


def sitemap_text(client, **headers):
    """Every sitemap page the index names, one after the other."""
    return "\n".join(sitemap_pages(client, **headers))


def page_holding(section, pk):
    """The path of the page of ``section`` (one paged by id) whose block of ids holds
    ``pk``: ids on PostgreSQL keep counting from test to test, so it is rarely page 1."""
    return f"/sitemap-{section}.xml?p={(pk - 1) // IdBlockSitemap.limit + 1}"
