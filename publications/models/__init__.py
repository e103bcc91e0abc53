"""The publications app's models, along their seams: the terms readers browse by
(``terms``), the publication with its authors and attachments (``publication``), what
readers did with it, counted (``counts``), and SQLite's full-text table (``searchtext``).
Everything is imported from here, as from one module."""

from publications.models.counts import (
    DailyCount,
    RankingDue,
    Rating,
    RatingQuerySet,
    StoredCounts,
    ranked_average,
)
from publications.models.publication import (
    ALSO_IN,
    LANGUAGE_CHOICES,
    Attachment,
    Authorship,
    Publication,
    PublicationQuerySet,
    attachments_in_order,
    authors_prefetch,
)
from publications.models.searchtext import FullTextTable, Match, SearchText
from publications.models.terms import Audience, Programme, Project, Region, Term, Topic

__all__ = [
    "ALSO_IN",
    "LANGUAGE_CHOICES",
    "Attachment",
    "Audience",
    "Authorship",
    "DailyCount",
    "FullTextTable",
    "Match",
    "Programme",
    "Project",
    "Publication",
    "PublicationQuerySet",
    "RankingDue",
    "Rating",
    "RatingQuerySet",
    "Region",
    "SearchText",
    "StoredCounts",
    "Term",
    "Topic",
    "attachments_in_order",
    "authors_prefetch",
    "ranked_average",
]
