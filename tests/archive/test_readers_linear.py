"""Readers of uploaded formats run in one pass: their work grows linearly with the input.

The work is counted, not timed (formats.Meter: characters passed over), with inputs that
double in size: steps(2n) ≤ 2.2 × steps(n) + c, whatever the text repeated. Before the
BibTeX reader went one pass, ``@a{`` repeated 2,000 / 4,000 / 8,000 times took 1.8 / 7.2 /
32.9 seconds: each unclosed entry was scanned to the end of the file.
"""

import contextlib
import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogue_portal.archive import formats
from tests.archive.test_import import run, write_folder

BIBTEX_PIECES = ["@a{", "@misc{k,", "}", "{", '"', ",", "=", "title", " = ", "x", "\n",
                 "@comment{", "@misc{k, title={T {x}}, author=\"A and B\", year=2020}\n",
                 "@", "a=1,"]  # fmt: skip
RIS_PIECES = ["TY  - RPRT\n", "TI  - T\n", "AU  - A, B\n", "ER  - \n", "KW  - k\n", "x\n", " "]
JSON_PIECES = ["[", "]", "{", "}", '"', '\\"', ",", "1", '"a":', " "]
CSV_PIECES = ["x", ",", "\n", '"', "T", "'=1", ";"]

C = 64  # steps a reader may spend once, whatever the size (the last partial entry, the end)


def steps(parse, text):
    meter = formats.Meter()
    with contextlib.suppress(formats.ManifestRefused):
        parse(text.encode(), "upload", meter=meter)
    return meter.steps


def assert_linear(parse, unit, times):
    small, large = steps(parse, unit * times), steps(parse, unit * (2 * times))
    assert large <= 2.2 * small + C + 4 * len(unit), (unit, small, large)


def units(pieces):
    return st.lists(st.sampled_from(pieces), min_size=1, max_size=12).map("".join)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(unit=units(BIBTEX_PIECES), times=st.sampled_from([50, 200, 800]))
def test_bibtex_work_grows_linearly(unit, times):
    assert_linear(formats.parse_bibtex, unit, times)


@settings(max_examples=60, deadline=None)
@given(unit=units(RIS_PIECES), times=st.sampled_from([50, 400]))
def test_ris_work_grows_linearly(unit, times):
    assert_linear(formats.parse_ris, unit, times)


@settings(max_examples=60, deadline=None)
@given(unit=units(JSON_PIECES), times=st.sampled_from([50, 400]))
def test_json_work_grows_linearly(unit, times):
    assert_linear(formats.parse_json, unit, times)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None)
@given(unit=units(CSV_PIECES), times=st.sampled_from([20, 100]))
def test_csv_work_grows_linearly(unit, times):
    header = "id,title,summary\n"
    small = steps(formats.parse_csv, header + unit * times)
    large = steps(formats.parse_csv, header + unit * (2 * times))
    assert large <= 2.2 * small + C + 4 * len(unit)


@pytest.mark.parametrize("times", [2_000, 4_000, 8_000])
def test_unclosed_bibtex_entries_are_one_pass_and_reported_once(times):
    meter = formats.Meter()
    parsed = formats.parse_bibtex(("@a{" * times).encode(), "refs.bib", meter=meter)
    assert meter.steps <= 3 * 3 * times
    assert [record.error for record in parsed.records] == ["the entry's braces are not closed"]


def test_valid_bibtex_still_reads_every_entry_after_the_rewrite():
    text = "".join(
        f'@misc{{k{n}, title={{Title {{{n}}}}}, author="Ann Lee and Bo Chan", year=2020}}\n'
        for n in range(3)
    )
    parsed = formats.parse_bibtex(text.encode(), "refs.bib")
    assert [record.data["title"] for record in parsed.records] == ["Title 0", "Title 1", "Title 2"]
    assert [record.place for record in parsed.records][2] == "refs.bib, entry 3 (line 3)"


# --- caps, with a clear message in the report (the admin's form error, the CLI's error) ---


@pytest.mark.django_db
def test_too_many_bibtex_entries_refuse_the_archive(tmp_path, settings):
    settings.ARCHIVE_MAX_RECORDS = 3
    text = "@misc{k, title={T}, year=2020}\n" * 4
    report = run(write_folder(tmp_path / "a", text.encode(), name="refs.bib"))
    assert report.refused_archive == (
        "refs.bib holds more than 3 records; split it into several archives."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("refs.ris", "TY  - RPRT\nTI  - T\nER  - \n" * 4),
        ("manifest.csv", "id,title,summary\n" + "r,T,S\n" * 4),
    ],
)
def test_too_many_records_refuse_the_archive(tmp_path, settings, name, content):
    settings.ARCHIVE_MAX_RECORDS = 3
    report = run(write_folder(tmp_path / "a", content.encode(), name=name))
    assert report.refused_archive == (
        f"{name} holds more than 3 records; split it into several archives."
    )


@pytest.mark.django_db
def test_too_many_json_records_refuse_the_archive(tmp_path, settings):
    settings.ARCHIVE_MAX_RECORDS = 3
    content = json.dumps({"publications": [{}] * 4}).encode()
    report = run(write_folder(tmp_path / "a", content, name="manifest.json"))
    assert report.refused_archive == (
        "manifest.json holds more than 3 records; split it into several archives."
    )


@pytest.mark.django_db
def test_deeply_nested_json_is_refused_not_a_crash(tmp_path):
    content = ('{"publications": [' + "[" * 100_000 + "]" * 100_000 + "]}").encode()
    report = run(write_folder(tmp_path / "a", content, name="manifest.json"))
    assert report.refused_archive == "manifest.json, line 1: nested deeper than 32 levels."


@pytest.mark.django_db
def test_a_csv_cell_over_the_csv_modules_limit_is_refused_not_a_crash(tmp_path):
    content = ("id,title,summary\nr1,T," + "x" * 200_000 + "\n").encode()
    report = run(write_folder(tmp_path / "a", content, name="manifest.csv"))
    assert report.refused_archive.startswith("manifest.csv, line 2: not readable as CSV (")


@pytest.mark.django_db
def test_the_cli_says_why_an_archive_is_refused(tmp_path, settings):
    settings.ARCHIVE_MAX_RECORDS = 1
    folder = write_folder(
        tmp_path / "a", b"TY  - RPRT\nER  - \nTY  - RPRT\nER  - \n", name="refs.ris"
    )
    with pytest.raises(CommandError, match="refs.ris holds more than 1 records"):
        call_command("import_archive", str(folder))
