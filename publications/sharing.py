"""Share links and structured data for a publication page."""

import json
from urllib.parse import quote, urlencode

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from dialogue_portal.core.links import absolute_url
from publications.citation import authorship_institution, publishers, topics_of

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def share_links(title, url):
    """(network, label, href) for each place a reader may pass the publication on."""
    return [
        ("x", "X", "https://x.com/intent/post?" + urlencode({"url": url, "text": title})),
        (
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        ),
        (
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        (
            "telegram",
            "Telegram",
            "https://t.me/share/url?" + urlencode({"url": url, "text": title}),
        ),
        ("vk", "VK", "https://vk.com/share.php?" + urlencode({"url": url, "title": title})),
        (
            "bluesky",
            "Bluesky",
            "https://bsky.app/intent/compose?" + urlencode({"text": f"{title} {url}"}),
        ),
        ("email", "E-mail", f"mailto:?subject={quote(title)}&body={quote(url)}"),
    ]


def json_ld(publication, site_name):
    """schema.org JSON-LD for the publication and its breadcrumb, safe inside <script>."""
    url = absolute_url(publication.get_absolute_url())
    authors = []
    for authorship in publication.authors:
        person = {
            "@type": "Person",
            "name": f"{authorship.person.given_name} {authorship.person.family_name}",
            "url": absolute_url(authorship.person.get_absolute_url()),
        }
        if authorship.position:
            person["jobTitle"] = authorship.position
        institution = authorship_institution(authorship)
        if institution:
            person["affiliation"] = {"@type": "Organization", "name": institution.name}
        authors.append(person)
    article = {
        "@context": "https://schema.org",
        "@type": "Report" if "report" in publication.kind else "ScholarlyArticle",
        "headline": publication.title,
        "name": publication.title,
        "description": strip_tags(publication.summary),
        "inLanguage": publication.language,
        "url": url,
        "mainEntityOfPage": url,
        "author": authors,
        "publisher": [{"@type": "Organization", "name": i.name} for i in publishers(publication)]
        or {"@type": "Organization", "name": site_name},
        "keywords": [topic.name for topic in topics_of(publication)],
    }
    if publication.published_at:
        article["datePublished"] = publication.published_at.isoformat()
    article["dateModified"] = publication.updated_at.isoformat()
    if publication.doi:
        article["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "DOI",
            "value": publication.doi,
        }
        article["sameAs"] = publication.doi_url
    if publication.banner_image:
        article["image"] = absolute_url(publication.banner_image.url)
    breadcrumb = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": 1,
                "name": site_name,
                "item": absolute_url("/"),
            },
            {
                "@type": "ListItem",
                "position": 2,
                "name": "Publications",
                "item": absolute_url(reverse("publications:list")),
            },
            {"@type": "ListItem", "position": 3, "name": publication.title, "item": url},
        ],
    }
    # Escaped like Django's json_script: no "<", ">" or "&" can close the script element.
    text = json.dumps([article, breadcrumb], ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(text)  # noqa: S308 - JSON with every markup character escaped above.
