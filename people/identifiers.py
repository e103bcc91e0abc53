"""ORCID iDs: four groups of four characters, the last one a check digit computed with
ISO 7064 MOD 11-2 over the fifteen digits before it (``X`` stands for ten).
https://support.orcid.org/hc/en-us/articles/360006897674
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ORCID_PATTERN = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def orcid_check_digit(digits):
    """The ISO 7064 11,2 check character of a string of fifteen digits."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def validate_orcid(value):
    if not value:
        return
    if not ORCID_PATTERN.match(value):
        raise ValidationError(
            _("Enter an ORCID iD such as 0000-0002-1825-0097."), code="invalid_orcid"
        )
    digits = value.replace("-", "")
    if orcid_check_digit(digits[:-1]) != digits[-1]:
        raise ValidationError(
            _("This ORCID iD has a wrong check digit: check it for a typing error."),
            code="invalid_orcid_checksum",
        )
