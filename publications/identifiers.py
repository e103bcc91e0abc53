"""Digital Object Identifiers: how an editor may type one, and the one form we store.

A DOI is ``10.`` + a registrant code of four or more digits (dotted parts allowed) + ``/``
+ a suffix of printable characters. Editors paste them in every spelling, so the
resolver links (``https://doi.org/…``, ``http://dx.doi.org/…``) and the ``doi:`` prefix are
taken off before the value is checked and stored; the page shows it as a doi.org link.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# The suffix: any printable characters but braces, backslash and quotes, which no
# registered DOI needs and which would break out of a BibTeX or RIS field.
DOI_PATTERN = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/[^\s{}\\\"']+$")
DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
RESOLVER = "https://doi.org/"


def normalize_doi(value):
    """The DOI without resolver link or ``doi:`` prefix and surrounding spaces ("" stays "")."""
    text = (value or "").strip()
    while True:
        stripped = DOI_PREFIXES.sub("", text, count=1).strip()
        if stripped == text:
            return text
        text = stripped


def validate_doi(value):
    if value and not DOI_PATTERN.match(value):
        raise ValidationError(
            _("Enter a DOI such as 10.1234/abc-5678 (a doi.org link or “doi:” is fine too)."),
            code="invalid_doi",
        )


def doi_url(doi):
    return f"{RESOLVER}{doi}" if doi else ""


class DOIField(models.CharField):
    """A CharField that stores the normalised DOI and checks its shape."""

    default_validators = [validate_doi]

    def to_python(self, value):
        return normalize_doi(super().to_python(value))
