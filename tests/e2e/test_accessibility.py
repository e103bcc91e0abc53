"""axe-core finds no WCAG 2.2 A/AA violation on any public page type, in English and Russian.

axe-core (tests/e2e/vendor/axe.min.js) is injected into each page after it has loaded its
live widgets; the browser context bypasses the CSP for this injection only (the journeys
check the CSP itself).
"""

import datetime as dt

import pytest
from django.utils import timezone

from dialogue_portal.previews.models import PreviewLink
from dialogue_portal.previews.services import url_for as preview_url
from polls.models import Poll
from publications.models import Publication
from tests.e2e.conftest import screenshot, wait_for_widgets
from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_poll,
    make_project,
    make_publication,
    make_region,
    make_topic,
    png_upload,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOT_FOUND = {"not found", "preview gone"}
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# axe.run at WCAG 2.2 A/AA on the page (context null) or a part of it (a selector), giving
# back the violations only: `resultTypes` spares axe the details of every passing node, and
# only what the test reads crosses from the page to the test.
AXE_RUN = """([context, tags]) => axe.run(context || document, {
  runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
}).then(result => result.violations)"""


def build_pages():
    rusi = make_institution(slug="rusi", name="Royal United Services Institute", short_name="RUSI")
    author = make_person(
        institution=rusi,
        slug="malcolm-chalmers",
        given_name="Malcolm",
        family_name="Chalmers",
        given_name_ru="Малкольм",
        family_name_ru="Чалмерс",
        short_bio="Deputy Director-General of RUSI.",
    )
    topic = make_topic(name="Arms Control", name_ru="Контроль над вооружениями", slug="arms")
    region = make_region(name="Europe", name_ru="Европа", slug="europe")
    project = make_project(name="UK–Russia Security Dialogue", slug="dialogue")
    report = make_publication(
        slug="managing-security-relations",
        title="Managing Russia–UK Security Relations",
        summary="Even with mistrust running high, security relations can still be managed.",
        body="<h2>Findings</h2><p>See <a href='https://example.org/'>the annex</a>.</p>"
        "<table><tr><th scope='col'>Year</th></tr><tr><td>2018</td></tr></table>",
        authors=[author],
        topics=[topic],
        regions=[region],
        project=project,
        project_part=1,
        banner_image=png_upload(size=(800, 350)),
        banner_alt="Aircraft trails over a dusk sky",
        banner_caption="Flight paths.",
        banner_credit="Courtesy of the Royal Air Force",
        featured=True,
    )
    make_attachment(report)
    make_publication(
        slug="part-2", title="Part 2", authors=[author], topics=[topic], project=project,
        project_part=2,
    )  # fmt: skip
    poll = make_poll(question="Will the dialogue continue?", placement=Poll.Placement.EVERYWHERE)
    draft = make_publication(
        slug="draft-under-embargo",
        title="Draft under embargo",
        status=Publication.Status.DRAFT,
        published_at=None,
        authors=[author],
        banner_image=png_upload(size=(800, 350)),
        banner_alt="A map of the Arctic",
    )
    make_attachment(draft)
    expires = timezone.now() + dt.timedelta(days=1)
    preview = PreviewLink.objects.create(publication=draft, expires_at=expires)
    revoked = PreviewLink.objects.create(
        publication=draft, expires_at=expires, revoked_at=timezone.now()
    )
    return {
        "home": "/",
        "list": "/publications/?topic=arms",
        "detail": report.get_absolute_url(),
        "person": author.get_absolute_url(),
        "people": "/people/",
        "institution": rusi.get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "region": region.get_absolute_url(),
        "project": project.get_absolute_url(),
        "browse": "/topics/",
        "search": "/search/?q=security",
        "polls": "/polls/",
        "poll": poll.get_absolute_url(),
        "not found": "/no-such-page/",
        "preview": preview_url(preview),
        "preview gone": preview_url(revoked),
    }


def run_axe(page, axe_source, context=None):
    """axe's violations on the page, or on the part ``context`` (a selector) names."""
    page.add_script_tag(content=axe_source)
    return page.evaluate(AXE_RUN, [context, WCAG_22_AA])


def axe_violations(page, axe_source):
    wait_for_widgets(page)  # the live rating and poll widgets are in
    violations = run_axe(page, axe_source)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:4])
        for v in violations
    ]


@pytest.mark.parametrize("prefix", ["", "/ru"], ids=["english", "russian"])
def test_every_public_page_type_passes_axe_at_wcag_22_aa(axe_page, axe_source, prefix):
    pages = build_pages()
    problems = {}
    for name, url in pages.items():
        response = axe_page.goto(prefix + url)
        assert response.status == (404 if name in NOT_FOUND else 200), url
        found = axe_violations(axe_page, axe_source)
        if found:
            problems[prefix + url] = found
            screenshot(axe_page, f"a11y-{prefix.strip('/') or 'en'}-{name.replace(' ', '-')}")
    assert not problems, "\n".join(
        f"{url}:\n  " + "\n  ".join(found) for url, found in problems.items()
    )
