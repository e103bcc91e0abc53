"""Whether a stored file may be served at its public address (``/media/<name>``).

A publication's files (its attachments, its banner and the banner's renditions) are
stored under generated names from the moment an editor uploads them, long before the
publication goes live. Until it does, nothing of it may be reached by that address, not
even by someone who learnt the name: ``embargoed(name)`` says so, and the media view
(``dialogue_portal.urls``) answers 404 for such a name. Staff and preview links reach
the files through their own, checked views. A file no publication names (a person's
photo, a file only an old revision holds) is not a publication's and is served.

Each check is one indexed look-up: attachments by their file's name, publications by
their banner's name (a rendition is named after its banner: ``<stem>-<width>w.webp``
beside it, ``publications.renditions``)."""

import posixpath
import re

from django.db.models import Count, Q

from dialogue_portal.uploads import IMAGE_FORMATS
from publications.models import Attachment, Publication

BANNER_EXTENSIONS = sorted({ext for exts in IMAGE_FORMATS.values() for ext in exts} | {".img"})

RENDITION = re.compile(r"^(?P<stem>.+)-\d+w\.webp$")


def owners(name):
    """The publications whose file (attachment, banner or rendition) ``name`` is."""
    if name.startswith("files/"):
        return Publication.objects.filter(
            pk__in=Attachment.objects.filter(file=name).values("publication")
        )
    if name.startswith("images/"):
        candidates = [name]
        match = RENDITION.match(name)
        if match:
            candidates += [match["stem"] + ext for ext in BANNER_EXTENSIONS]
        return Publication.objects.filter(banner_image__in=candidates)
    return Publication.objects.none()


PUBLIC, EMBARGOED, UNOWNED = "public", "embargoed", "unowned"


def standing(name):
    """``PUBLIC``: a file of a publication the public sees; ``EMBARGOED``: a publication's
    file, none of whose publications the public may see yet; ``UNOWNED``: no publication
    names it (a person's photo, or a file only a revision or a proposal holds)."""
    counts = owners(name).aggregate(
        owners=Count("pk"),
        public=Count("pk", filter=Q(pk__in=Publication.objects.published().values("pk"))),
    )
    if not counts["owners"]:
        return UNOWNED
    return PUBLIC if counts["public"] else EMBARGOED


def embargoed(name):
    return standing(name) == EMBARGOED


def normalized(name):
    """The stored name a ``/media/`` path stands for (``a/./b`` and ``a/x/../b`` are
    ``a/b``), so that no spelling of a name escapes the check."""
    return posixpath.normpath(name)
