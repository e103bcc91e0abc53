"""Whether a stored file may be served at its public address (``/media/<name>``).

A publication's files (its attachments, its banner and the banner's renditions) are
stored under generated names from the moment an editor uploads them, long before the
publication goes live. Until it does, nothing of it may be reached by that address, not
even by someone who learnt the name: ``embargoed(name)`` says so, and the media view
(``dialogue_portal.urls``) answers 404 for such a name. Staff and preview links reach
the files through their own, checked views.

A file a publication no longer names (a PDF or banner replaced since, kept in storage so
that a restore can bring it back, and the renditions of such a banner) is withheld as
well: ``RETIRED``, found by the revisions that name it. It is served again once a restore
makes the live publication name it. A file nothing of a publication names, now or in its
history (a person's photo), is not a publication's and is served.

The check is one indexed look-up: attachments by their file's name, publications by
their banner's name (a rendition is named after its banner: ``<stem>-<width>w.webp``
beside it, ``publications.renditions``). A name no publication holds now costs one more:
a person's photo by its name, else (for a file storage holds) the revisions of
publications and attachments that name it."""

import posixpath
import re

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from reversion.models import Version

from dialogue_portal.core.uploads import IMAGE_FORMATS
from people.models import Person
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


PUBLIC, EMBARGOED, RETIRED, UNOWNED = "public", "embargoed", "retired", "unowned"
WITHHELD = {EMBARGOED, RETIRED}  # what the public may not have


def standing(name):
    """``PUBLIC``: a file of a publication the public sees; ``EMBARGOED``: a publication's
    file, none of whose publications the public may see yet; ``RETIRED``: a file only a
    publication's revisions name, replaced since; ``UNOWNED``: no publication names it,
    now or before (a person's photo, or a file only a proposal holds)."""
    counts = owners(name).aggregate(
        owners=Count("pk"),
        public=Count("pk", filter=Q(pk__in=Publication.objects.published().values("pk"))),
    )
    if counts["owners"]:
        return PUBLIC if counts["public"] else EMBARGOED
    return RETIRED if retired(name) else UNOWNED


def retired(name):
    """Whether a revision of a publication or an attachment names ``name`` (or, for a
    rendition, its banner) while no publication does now: a file kept for restores."""
    if name.startswith("files/"):
        needle = name
    elif name.startswith("images/"):
        if Person.objects.filter(photo=name).exists():
            return False
        match = RENDITION.match(name)
        # Its banner's name: the stem, in a folder of its own, and one of the extensions.
        needle = match["stem"] + "." if match else name
    else:
        return False
    if not default_storage.exists(name):
        return False  # nothing to withhold, and no search of the history for a made-up name
    kinds = ContentType.objects.get_for_models(Publication, Attachment).values()
    return Version.objects.filter(
        content_type__in=list(kinds), serialized_data__contains=needle
    ).exists()


def embargoed(name):
    return standing(name) in WITHHELD


def normalized(name):
    """The stored name a ``/media/`` path stands for (``a/./b`` and ``a/x/../b`` are
    ``a/b``), so that no spelling of a name escapes the check."""
    return posixpath.normpath(name)
