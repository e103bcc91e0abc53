"""Property: whatever JSON a manifest holds, the import reports every record (created or
refused with reasons) and never fails as a whole."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue_portal.archive.importer import import_archive
from dialogue_portal.archive.source import open_source
from tests.archive.test_import import PDF, record

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=10**6),
    st.text(max_size=12),
    st.sampled_from(["2020-01-01", "ann-lee", "files/a.pdf", "report", "ru", "=1+1", "../x"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = ["id", "slug", "title", "summary", "published_at", "kind", "language", "status",
          "featured", "authors", "topics", "project", "project_part", "translation_of",
          "banner", "attachments", "programme"]  # fmt: skip
records = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6).map(
    lambda changes: record() | changes
)
registries = st.dictionaries(
    st.sampled_from(["people", "topics", "projects", "programmes", "institutions"]),
    st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    "slug",
                    "name",
                    "institutions",
                    "affiliations",
                    "institution",
                    "given_name",
                    "family_name",
                ]
            ),
            values,
            max_size=4,
        ).map(lambda e: {"slug": "x"} | e),
        max_size=2,
    ),
    max_size=2,
)


@pytest.mark.slow
@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(items=st.lists(records, min_size=1, max_size=3), extra=registries)
def test_any_manifest_gets_a_report(tmp_path_factory, items, extra):
    folder = tmp_path_factory.mktemp("a")
    manifest = {
        "people": [{"slug": "ann-lee", "given_name": "Ann", "family_name": "Lee"}],
        **extra,
        "publications": items,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "files").mkdir()
    (folder / "files" / "a.pdf").write_bytes(PDF)
    source = open_source(folder)
    report = import_archive(source, dry_run=True)
    if report.refused_archive:
        return  # a malformed section refuses the whole manifest, with a message
    assert len(report.outcomes) == len(items)
    for outcome in report.outcomes:
        assert outcome.action in ("created", "refused")
        assert outcome.action == "created" or outcome.reasons
