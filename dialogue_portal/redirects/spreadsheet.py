"""Redirects as CSV: ``old_path,new_path_or_url,status`` (an old site's list of addresses,
of any shape), optionally followed by ``include_below`` and ``note`` as export writes them."""

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dialogue_portal.core import spreadsheet
from dialogue_portal.redirects.services import Row, clean_row

HEADER = ["old_path", "new_path_or_url", "status", "include_below", "note"]
MAX_ROWS = 50_000
YES = ("1", "yes", "true", "y")
NO = ("", "0", "no", "false", "n")


def export_csv(redirects) -> str:
    out = io.StringIO()
    writer = spreadsheet.writer(out, lineterminator="\n")  # every cell escaped
    writer.writerow(HEADER)
    for redirect in redirects:
        row = [redirect.old_path, redirect.target, redirect.status,
               "yes" if redirect.include_below else "no", redirect.note]  # fmt: skip
        writer.writerow(row)
    return out.getvalue()


def read_csv(data: bytes, *, source) -> list[Row]:
    """Cleaned rows, or ValidationError with one message per bad line (all of them)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text.")) from None
    rows, errors, seen = [], [], {}
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            line = reader.line_num
            cells = [spreadsheet.unescape(cell.strip()) for cell in cells]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if not rows and not errors and cells[0].lower() == HEADER[0]:
                continue  # the header
            if len(rows) >= MAX_ROWS:
                errors.append(_("More than %(max)s rows: split the file.") % {"max": MAX_ROWS})
                break
            problems = []
            if len(cells) > len(HEADER):
                problems.append(
                    _("%(count)s cells; expected old_path,new_path_or_url,status")
                    % {"count": len(cells)}
                )
            cells += [""] * (len(HEADER) - len(cells))
            old_path, target, status, below, note = cells[: len(HEADER)]
            try:
                key, target, status = clean_row(old_path, target, status)
            except ValidationError as error:
                problems += error.messages
                key = ""
            if below.lower() not in YES + NO:
                problems.append(_("include_below must be yes or no."))
            if len(note) > 200:
                problems.append(_("The note is longer than 200 characters."))
            if key and key in seen:
                problems.append(
                    _("%(path)s is also on line %(line)s.") % {"path": key, "line": seen[key]}
                )
            if problems:
                errors += [
                    _("Line %(line)s: %(problem)s") % {"line": line, "problem": problem}
                    for problem in problems
                ]
                continue
            seen[key] = line
            rows.append(
                Row(key, target, status, below.lower() in YES, note, source=source, line=line)
            )
    except csv.Error as error:
        errors.append(_("Line %(line)s: %(problem)s") % {"line": reader.line_num, "problem": error})
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("The file holds no redirects."))
    return rows
