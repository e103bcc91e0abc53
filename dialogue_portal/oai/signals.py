"""Where the OAI records hear that something a harvester sees has changed.

The records depend on rows that editors change in many places: the publication form with its
author and attachment inlines, the person and institution admins (a renamed author or
institution changes every record that names them), tags, projects, bulk actions, and imports.
The apps that own those rows (``publications``, ``people``) may not import this app — imports
go one way — so they cannot call ``services`` themselves. Model signals are the one place all
those paths pass through; each receiver here only says *which* publications are affected and
hands them to ``services.schedule_refresh()``, which holds all the logic and runs once the
editor's transaction commits. Bulk ``QuerySet.update()`` sends no model signal: the
publication admin's bulk actions send ``publications.signals.publications_changed`` instead,
and ``manage.py oai_refresh`` checks everything for changes made around all of these.
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from dialogue_portal.oai.services import schedule_refresh
from people.models import Affiliation, Institution, Person
from publications.models import Attachment, Authorship, Project, Publication, Region, Topic
from publications.signals import publications_changed


def _publication_ids(queryset):
    return list(queryset.values_list("publication_id", flat=True).distinct())


def publication_saved(sender, instance, **kwargs):
    schedule_refresh([instance.pk])


def part_saved(sender, instance, **kwargs):
    schedule_refresh([instance.publication_id])


def person_changed(sender, instance, **kwargs):
    schedule_refresh(_publication_ids(Authorship.objects.filter(person_id=instance.pk)))


def affiliation_changed(sender, instance, **kwargs):
    # A byline without an institution of its own prints the author's current one.
    schedule_refresh(_publication_ids(Authorship.objects.filter(person_id=instance.person_id)))


def institution_changed(sender, instance, **kwargs):
    named = Q(institution_id=instance.pk) | Q(person__affiliations__institution_id=instance.pk)
    schedule_refresh(_publication_ids(Authorship.objects.filter(named)))


def term_changed(sender, instance, **kwargs):
    schedule_refresh(list(instance.publications.values_list("pk", flat=True)))


def terms_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        if action in {"post_add", "post_remove", "post_clear"}:
            schedule_refresh([instance.pk])
    elif action in {"post_add", "post_remove"}:
        schedule_refresh(pk_set or [])
    elif action == "pre_clear":
        schedule_refresh(list(instance.publications.values_list("pk", flat=True)))


def bulk_changed(sender, ids, **kwargs):
    schedule_refresh(ids)


def connect():
    uid = "oai-records"
    post_save.connect(publication_saved, sender=Publication, dispatch_uid=uid)
    post_delete.connect(publication_saved, sender=Publication, dispatch_uid=uid)
    for model in (Authorship, Attachment):
        post_save.connect(part_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(part_saved, sender=model, dispatch_uid=uid)
    post_save.connect(person_changed, sender=Person, dispatch_uid=uid)
    for signal in (post_save, post_delete):
        signal.connect(affiliation_changed, sender=Affiliation, dispatch_uid=uid)
    post_save.connect(institution_changed, sender=Institution, dispatch_uid=uid)
    for model in (Topic, Region, Project):
        post_save.connect(term_changed, sender=model, dispatch_uid=uid)
        # Before the rows that link it go, so the publications can still be found.
        pre_delete.connect(term_changed, sender=model, dispatch_uid=uid)
    for through in (Publication.topics.through, Publication.regions.through):
        m2m_changed.connect(terms_changed, sender=through, dispatch_uid=uid)
    publications_changed.connect(bulk_changed, dispatch_uid=uid)
