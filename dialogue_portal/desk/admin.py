"""History and review in the admin.

Every admin of what editors change (publications, people, institutions, polls, terms) is
registered again here with django-reversion's ``VersionAdmin`` in front, so each save is one
revision with user, time and comment, and deleted publications, people and polls can be
recovered. Those and the pages, newsletter issues and subscribers get ``ConflictCheck``: a
form loaded before someone else's save does not save over it (``conflicts``).

The publication admin also gets: a history with compare and restore, review
before publishing (a publish permission only reviewers hold), and proposals - changes an
editor makes to a published publication wait for a reviewer while readers see the old text.
"""

import contextlib
import hashlib
import json

import reversion
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin, _RollBackRevisionView
from reversion.errors import RevertError
from reversion.models import Revision, Version
from reversion.revisions import _get_options
from reversion.utils import mute_signals

from dialogue_portal.desk import presence, services
from dialogue_portal.desk.conflicts import DELETED, LOADED, ConflictCheck, dumps, loads, state
from dialogue_portal.desk.forms import ReviewForm
from dialogue_portal.desk.history import (
    Snapshot,
    capture,
    compare,
    describe,
    desk_comment,
    publication_versions,
)
from dialogue_portal.desk.models import Decision, Proposal
from dialogue_portal.newsletter.admin import IssueAdmin, SubscriberAdmin
from dialogue_portal.newsletter.models import Issue, Subscriber
from dialogue_portal.pages.admin import PageAdmin
from dialogue_portal.pages.models import Page
from people.admin import InstitutionAdmin, PersonAdmin
from people.models import Institution, Person
from polls.admin import PollAdmin
from polls.models import Poll
from publications.admin import ProgrammeAdmin, ProjectAdmin, PublicationAdmin, TermAdmin
from publications.models import Audience, Programme, Project, Publication, Region, Topic


class HistoryAdmin(ConflictCheck, VersionAdmin):
    """Each admin save one revision; the newest first in the history; no save over
    another's (``ConflictCheck``).

    The list keeps the template another app gives this model's list (the archive's import
    and export links on publications, for one) and adds "Recover deleted" to it."""

    history_latest_first = True
    change_list_template = "desk/change_list.html"

    def changelist_view(self, request, extra_context=None):
        opts = self.model._meta
        extra_context = {
            **(extra_context or {}),
            "desk_base_change_list": select_template(
                [
                    f"admin/{opts.app_label}/{opts.model_name}/change_list.html",
                    f"admin/{opts.app_label}/change_list.html",
                    "admin/change_list.html",
                ]
            ),
        }
        return super().changelist_view(request, extra_context)

    # django-reversion's recover and revert pages, kept to this model and this object ------

    def recover_view(self, request, version_id, extra_context=None):
        """Recover a deleted object of this model: a version of another model, or of an
        object that still exists, is 404 (reversion looked any version up) - unless the
        page was opened while it was deleted and someone recovered it since, when the
        POST gets the change form with both versions (``_check_revert``)."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_model(self.model), pk=version_id)
        deleted = Version.objects.get_deleted(self.model).filter(pk=version.pk).exists()
        opened_while_deleted = request.method == "POST" and (
            loads(self.model(pk=version.object_id), request.POST.get(LOADED)) == DELETED
        )
        if not (deleted or opened_while_deleted):
            raise Http404
        context = {
            "title": _("Recover %(name)s") % {"name": version.object_repr},
            "recover": True,
            **(extra_context or {}),
        }
        template = self.recover_form_template or self._reversion_get_template_list(
            "recover_form.html"
        )
        return self._revert_form_view(request, version, template, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Revert this object to one of its own versions; any other version is 404."""
        version = get_object_or_404(
            Version.objects.get_for_object_reference(self.model, unquote(object_id)),
            pk=version_id,
        )
        context = {
            "title": _("Revert %(name)s") % {"name": version.object_repr},
            "revert": True,
            **(extra_context or {}),
        }
        template = self.revision_form_template or self._reversion_get_template_list(
            "revision_form.html"
        )
        return self._revert_form_view(request, version, template, context)

    def _owned_versions(self, version):
        """``version`` and, from its revision, the rows it owns (the relations its model
        follows, as an affiliation or a poll's choice) - never the rest of the revision,
        which may hold other objects (a bulk action's, or an import's first revision)."""
        versions = [version]
        revision_versions = list(version.revision.version_set.exclude(pk=version.pk))
        for name in _get_options(self.model).follow:
            relation = self.model._meta.get_field(name)
            if not relation.one_to_many:
                continue
            related, attname = relation.related_model, relation.field.attname
            for candidate in revision_versions:
                if candidate._model is related and str(candidate.field_dict.get(attname)) == str(
                    version.object_id
                ):
                    versions.append(candidate)
        return versions

    def _revert(self, version):
        """Put the object and what it owns back as ``version`` holds them; owned rows added
        since are deleted, as reversion's revert(delete=True) does for the object alone."""
        versions = self._owned_versions(version)
        for owned in versions:
            owned.revert()
        obj = self.model._default_manager.get(pk=version.object_id)
        kept = {(o._model, str(o.object_id)) for o in versions}
        for name in _get_options(self.model).follow:
            relation = self.model._meta.get_field(name)
            if not relation.one_to_many:
                continue
            for row in getattr(obj, relation.get_accessor_name()).all():
                if (type(row), str(row.pk)) not in kept:
                    row.delete()
        return obj

    def _after_revert(self, request, obj, version):
        """Hook: what the review rule makes of a reverted object before the form sees it."""

    def _check_revert(self, request, version):
        """Before a revert or recover page reverts anything: the page carries the object as
        saved now (``DELETED`` when there is none), and a POST is checked against it with
        the row locked, as a change form is (``ConflictCheck``).

        Answers the change form of the object as saved now, with both versions and a
        choice per field (409), when it was saved since the page was loaded or the POST
        does not say; else None, and the revert goes on - refused with a message when the
        object was deleted since, so that nothing typed is lost either way."""
        pk = str(version.object_id)
        manager = self.model._default_manager
        if request.method == "POST":
            list(manager.select_for_update().filter(pk=pk).values("pk"))
        live = self.get_object(request, pk) if manager.filter(pk=pk).exists() else None
        if live is None:
            live, current = self.model(pk=version.object_id), DELETED
        else:
            current = state(*self._stored_forms(request, live))
        request._desk_loaded_token = dumps(live, current)
        if request.method != "POST":
            return None
        if loads(live, request.POST.get(LOADED)) == current:
            request._desk_checked = True
            return None
        if current is not DELETED:
            opts = self.model._meta
            change_url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[quote(pk)],
            )
            return self.changeform_view(request, quote(pk), change_url)
        request._desk_checked = True
        request._desk_refusal = _(
            "Nothing was saved: this page was opened before the %(name)s was deleted, or "
            "did not say what it was opened from. Check the form below, then save again."
        ) % {"name": self.model._meta.verbose_name}
        return None

    def _revert_form_view(self, request, version, template_name, context):
        """reversion's revision form (the change form filled from the version, saved on
        POST, rolled back otherwise), reverting only what this object owns, and never over
        a save made since the page was loaded (``_check_revert``)."""
        muted = (
            mute_signals(pre_save, post_save, pre_delete, post_delete, m2m_changed)
            if request.method == "GET"
            else contextlib.nullcontext()
        )
        try:
            with transaction.atomic(using=version.db), muted:
                moved = self._check_revert(request, version)
                if moved is not None:
                    return moved
                obj = self._revert(version)
                self._after_revert(request, obj, version)
                with self.create_revision(request):
                    response = self.changeform_view(
                        request, quote(str(obj.pk)), request.path, context
                    )
                    if request.method == "POST" and response.status_code == 302:
                        reversion.set_comment(
                            _("Reverted to previous version, saved on %(datetime)s")
                            % {"datetime": services.revision_date(version.revision)}
                        )
                    elif response.status_code in (200, 409):
                        # The revert page around the change form, the state it was
                        # loaded from still in it (``desk/change_form.html``).
                        names = [template_name] if isinstance(template_name, str) else template_name
                        response.context_data["desk_base_change_form"] = select_template(names)
                        response.render()
                        raise _RollBackRevisionView(response)
                    else:
                        raise RevertError(
                            _("Could not load %(object_repr)s version - not found")
                            % {"object_repr": version.object_repr}
                        )
        except (RevertError, ProtectedError, IntegrityError) as error:
            messages.error(request, str(error))
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
            )
        except _RollBackRevisionView as rolled_back:
            return rolled_back.response
        return response


class _Discard(Exception):  # noqa: N818 - a signal to roll back, not an error
    """Leave the transaction without keeping what it wrote."""

    def __init__(self, response=None, versions=None):
        super().__init__()
        self.response = response
        self.versions = versions


class DeskPublicationAdmin(HistoryAdmin, PublicationAdmin):
    object_history_template = "desk/publication_history.html"
    change_form_template = "desk/publication_change_form.html"

    # Who may publish --------------------------------------------------------------------

    def has_publish_permission(self, request, obj=None):
        return services.can_publish(request.user)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if not self.has_publish_permission(request):
            actions.pop("publish", None)
            actions.pop("unpublish", None)
        return actions

    def changelist_view(self, request, extra_context=None):
        if (
            request.method == "POST"
            and request.POST.get("action") in ("publish", "unpublish")
            and not self.has_publish_permission(request)
        ):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    @admin.action(description=PublicationAdmin.publish.short_description, permissions=["publish"])
    def publish(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        newly = list(queryset.exclude(status=Publication.Status.PUBLISHED))
        super().publish(request, queryset)
        self._record_bulk(request, ids, "published")
        for publication in newly:
            services.published_directly(
                publication=publication,
                user=request.user,
                comment=_("Published from the list."),
            )

    @admin.action(description=PublicationAdmin.unpublish.short_description, permissions=["publish"])
    def unpublish(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        taken = list(queryset.filter(status=Publication.Status.PUBLISHED))
        super().unpublish(request, queryset)
        self._record_bulk(request, ids, "unpublished")
        services.unpublished(publications=taken, user=request.user, how="from the list")

    def _record_bulk(self, request, ids, action):
        """The list's actions change rows without saving them: one revision for them all."""
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(desk_comment(f"bulk-{action}"))
            for publication in Publication.objects.filter(pk__in=ids):
                reversion.add_to_revision(publication)

    def has_delete_permission(self, request, obj=None):
        """Deleting what readers see takes it from them: a publishing decision too."""
        if obj is not None and services.is_live(obj) and not self.has_publish_permission(request):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        if not self.has_publish_permission(request) and any(map(services.is_live, queryset)):
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not self.has_publish_permission(request):
            kwargs["choices"] = [
                (value, label)
                for value, label in Publication.Status.choices
                if value != Publication.Status.PUBLISHED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and services.is_live(obj) and not self.has_publish_permission(request):
            fields += ["status", "published_at"]
        return fields

    def _refuse_forged_publishing(self, request, object_id):
        """A POST that would publish, unpublish or reschedule without the permission: 403."""
        if request.method != "POST" or self.has_publish_permission(request):
            return None
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is not None and services.is_live(obj):
            if "status" in request.POST or "published_at_0" in request.POST:
                raise PermissionDenied
        elif request.POST.get("status") == Publication.Status.PUBLISHED:
            raise PermissionDenied
        return obj

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._refuse_forged_publishing(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    # Recovering a deleted publication ---------------------------------------------------

    def _after_revert(self, request, obj, version):
        """A deleted publication comes back as a draft, whoever recovers it: taking it
        public again is a publishing decision, made in the form (by a reviewer) or in
        review - never by bringing back the status it had when it was deleted."""
        if obj.status != Publication.Status.DRAFT:
            Publication.objects.filter(pk=obj.pk).update(status=Publication.Status.DRAFT)
            obj.status = Publication.Status.DRAFT

    def recover_view(self, request, version_id, extra_context=None):
        response = super().recover_view(request, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            version = Version.objects.get(pk=version_id)
            publication = Publication.objects.filter(pk=version.object_id).first()
            if publication is not None:
                services.recovered(publication=publication, user=request.user)
        return response

    # Proposals: an editor's changes to a published publication -------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        proposal = obj and services.open_proposal(obj)
        extra = {
            "open_proposal": proposal,
            "latest_decision": obj and obj.decisions.select_related("user").first(),
            **(extra_context or {}),
        }
        if obj is None or self.has_publish_permission(request) or not services.is_live(obj):
            return super().change_view(request, object_id, form_url, extra)
        self._refuse_forged_publishing(request, object_id)
        extra["proposing"] = True
        request._desk_proposing = True
        with transaction.atomic():
            if request.method == "POST":
                # Held until the proposal is kept: a second editor's save waits, then
                # finds this proposal and gets the conflict page instead of replacing it.
                list(Publication.objects.select_for_update().filter(pk=obj.pk).values("pk"))
                proposal = services.open_proposal(obj)
            try:
                with transaction.atomic():
                    if proposal is not None:  # the editor goes on with the proposed version
                        self._preview(request, obj, proposal)
                    response = super().change_view(request, object_id, form_url, extra)
                    if request.method == "POST" and response.status_code == 302:
                        raise _Discard(response, capture(obj))
                    if hasattr(response, "render"):
                        response.render()
                    raise _Discard(response)
            except _Discard as outcome:
                response = outcome.response
                if outcome.versions is not None:
                    services.propose(publication=obj, user=request.user, versions=outcome.versions)
                    messages.success(
                        request,
                        _(
                            "Your changes to “%(title)s” were sent to the reviewers. Readers "
                            "see the published version until a reviewer approves them."
                        )
                        % {"title": obj.title},
                    )
                return response

    def _preview(self, request, obj, proposal):
        snapshot = Snapshot.from_serialized(proposal.versions, obj.pk)
        try:
            services.apply_snapshot(
                publication=obj, snapshot=snapshot, user=request.user, comment="", refresh=False
            )
        except services.RestoreError as error:
            for problem in error.problems:
                messages.warning(request, problem)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "_desk_proposing", False) and level == messages.SUCCESS:
            return  # "changed successfully" would not be true: nothing reached readers
        return super().message_user(request, message, level, *args, **kwargs)

    # Submitting a draft -----------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        submitted = obj.status == Publication.Status.REVIEW and (
            not change or "status" in form.changed_data
        )
        published = (
            obj.status == Publication.Status.PUBLISHED
            and (not change or "status" in form.changed_data)
            and self.has_publish_permission(request)
        )
        taken_down = (
            change
            and "status" in form.changed_data
            and form.initial.get("status") == Publication.Status.PUBLISHED
            and obj.status != Publication.Status.PUBLISHED
        )
        super().save_model(request, obj, form, change)
        request._desk_submitted = submitted
        if published:
            services.published_directly(publication=obj, user=request.user)
        if taken_down:
            services.unpublished(publications=[obj], user=request.user, how="in the form")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if getattr(request, "_desk_submitted", False) and not getattr(
            request, "_desk_proposing", False
        ):
            services.submit(publication=form.instance, user=request.user)

    # History, compare, restore, review --------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/compare/",
                view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<path:object_id>/review/",
                view(self.review_view),
                name="{}_{}_review".format(*info),
            ),
            *super().get_urls(),
        ]

    def _publication(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _context(self, request, obj, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": title,
            "subtitle": str(obj),
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        obj = self._publication(request, object_id)
        versions = list(publication_versions(obj.pk))
        context = self._context(
            request,
            obj,
            _("History: %(title)s") % {"title": obj.title},
            versions=versions,
            proposal=services.open_proposal(obj),
            has_change_permission=self.has_change_permission(request, obj),
            default_old=versions[1].revision_id if len(versions) > 1 else "",
            default_new=versions[0].revision_id if versions else "",
        )
        return TemplateResponse(request, self.object_history_template, context)

    def _snapshot(self, obj, key):
        """``live``, ``proposal`` or a revision id of this publication, else 404."""
        if key == "live":
            return Snapshot.live(obj), _("Now")
        if key == "proposal":
            proposal = services.open_proposal(obj)
            if proposal is None:
                raise Http404
            return Snapshot.from_serialized(proposal.versions, obj.pk), _("Proposed changes")
        if not str(key).isdigit():
            raise Http404
        version = publication_versions(obj.pk).filter(revision_id=int(key)).first()
        if version is None:
            raise Http404
        snapshot = Snapshot.from_revision(version.revision, obj.pk)
        return snapshot, self._revision_label(version.revision)

    @staticmethod
    def _revision_label(revision):
        return _("Revision %(number)s of %(date)s by %(user)s") % {
            "number": revision.pk,
            "date": services.revision_date(revision),
            "user": revision.user.get_username() if revision.user else "—",
        }

    def compare_view(self, request, object_id):
        obj = self._publication(request, object_id)
        old, old_label = self._snapshot(obj, request.GET.get("old", ""))
        new, new_label = self._snapshot(obj, request.GET.get("new", "live"))
        rows = compare(old, new)
        context = self._context(
            request,
            obj,
            _("Compare: %(title)s") % {"title": obj.title},
            rows=rows,
            old_label=old_label,
            new_label=new_label,
            changed=sum(row.changed for row in rows),
        )
        return TemplateResponse(request, "desk/compare.html", context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restore: what the revision holds beside the publication now, then one button."""
        obj = self._publication(request, object_id)
        version = get_object_or_404(
            publication_versions(obj.pk), pk=version_id if str(version_id).isdigit() else 0
        )
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        revision = Revision.objects.get(pk=version.revision_id)
        problems = []
        loaded = self._restore_token(obj)
        # Saved or proposed since the page was loaded, or a POST that does not say what it
        # was loaded from: restoring now could put the revision over a change this editor
        # has not seen. Show them what it is now.
        moved = request.method == "POST" and request.POST.get(LOADED) != loaded
        if moved:
            problems = []
        elif request.method == "POST":
            try:
                decision = services.restore(publication=obj, revision=revision, user=request.user)
            except services.RestoreError as error:
                problems = error.problems
            else:
                if decision is None:
                    messages.success(
                        request,
                        _(
                            "The revision was sent to the reviewers as a proposed change: "
                            "readers see the published version until it is approved."
                        ),
                    )
                else:
                    newest = publication_versions(obj.pk).first().revision
                    messages.success(request, describe(newest))
                return HttpResponseRedirect(
                    reverse("admin:publications_publication_change", args=[obj.pk])
                )
        snapshot = Snapshot.from_revision(revision, obj.pk)
        if snapshot is None:
            raise Http404
        if not problems:
            try:
                services.check_restorable(snapshot, obj)
            except services.RestoreError as error:
                problems = error.problems
        context = self._context(
            request,
            obj,
            _("Restore: %(title)s") % {"title": obj.title},
            rows=compare(Snapshot.live(obj), snapshot),
            old_label=_("Now"),
            new_label=self._revision_label(revision),
            problems=problems,
            proposes=services.is_live(obj) and not self.has_publish_permission(request),
            desk_loaded_name=LOADED,
            desk_loaded=loaded,
            moved=moved,
            moved_unchecked=moved and LOADED not in request.POST,
            moved_by=self.conflict_saved_by(request, obj) if moved else None,
        )
        status = 200
        if moved:
            status = 409
        elif request.method == "POST":
            status = 400
        return TemplateResponse(request, "desk/restore.html", context, status=status)

    @staticmethod
    def _restore_token(obj):
        """The publication as saved and its open proposal: what a restore page showed."""
        proposal = services.open_proposal(obj)
        held = [capture(obj), proposal and [proposal.pk, proposal.state, proposal.versions]]
        return hashlib.sha256(json.dumps(held, sort_keys=True).encode()).hexdigest()

    def conflict_saved_by(self, request, obj):
        """An editor of a live publication works on its open proposal: the proposal's
        author is who changed it, else whoever saved it last."""
        proposal = services.open_proposal(obj)
        if proposal is not None and not self.has_publish_permission(request):
            return presence.name_of(proposal.created_by), proposal.updated_at
        return super().conflict_saved_by(request, obj)

    def review_view(self, request, object_id):
        obj = self._publication(request, object_id)
        proposal = services.open_proposal(obj)
        waiting = (proposal is not None and proposal.state == Proposal.State.PENDING) or (
            obj.status == Publication.Status.REVIEW
        )
        can_decide = self.has_publish_permission(request)
        form = ReviewForm(request.POST or None)
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            if form.is_valid():
                action = form.cleaned_data["action"]
                comment = form.cleaned_data["comment"]
                try:
                    if action == ReviewForm.APPROVE:
                        services.approve(publication=obj, user=request.user, comment=comment)
                        messages.success(
                            request, _("“%(title)s” was approved.") % {"title": obj.title}
                        )
                    else:
                        services.send_back(publication=obj, user=request.user, comment=comment)
                        messages.success(
                            request,
                            _("“%(title)s” was sent back to its editor.") % {"title": obj.title},
                        )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    return HttpResponseRedirect(reverse("admin:index"))
        if proposal is not None:
            rows = compare(Snapshot.live(obj), Snapshot.from_serialized(proposal.versions, obj.pk))
            old_label, new_label = _("Published"), _("Proposed changes")
        else:
            live = Snapshot.live(obj)
            rows = compare(live, live)
            old_label = new_label = None
        context = self._context(
            request,
            obj,
            _("Review: %(title)s") % {"title": obj.title},
            form=form,
            rows=rows,
            old_label=old_label,
            new_label=new_label,
            proposal=proposal,
            waiting=waiting,
            can_decide=can_decide,
            # The desk refuses to approve one's own submission: no button that would fail.
            own_submission=can_decide
            and waiting
            and services.is_own_submission(obj, request.user, proposal),
            decisions=obj.decisions.select_related("user").order_by("created_at", "pk"),
        )
        return TemplateResponse(
            request,
            "desk/review.html",
            context,
            status=400 if request.method == "POST" else 200,
        )


class PersonHistoryAdmin(HistoryAdmin, PersonAdmin):
    pass


class InstitutionHistoryAdmin(HistoryAdmin, InstitutionAdmin):
    pass


class PollHistoryAdmin(HistoryAdmin, PollAdmin):
    pass


class TermHistoryAdmin(HistoryAdmin, TermAdmin):
    pass


class ProgrammeHistoryAdmin(HistoryAdmin, ProgrammeAdmin):
    pass


class ProjectHistoryAdmin(HistoryAdmin, ProjectAdmin):
    pass


for model, model_admin in [
    (Publication, DeskPublicationAdmin),
    (Person, PersonHistoryAdmin),
    (Institution, InstitutionHistoryAdmin),
    (Poll, PollHistoryAdmin),
    (Topic, TermHistoryAdmin),
    (Region, TermHistoryAdmin),
    (Audience, TermHistoryAdmin),
    (Programme, ProgrammeHistoryAdmin),
    (Project, ProjectHistoryAdmin),
]:
    admin.site.unregister(model)
    admin.site.register(model, model_admin)


class PageConflictAdmin(ConflictCheck, PageAdmin):
    pass


class IssueConflictAdmin(ConflictCheck, IssueAdmin):
    pass


class SubscriberConflictAdmin(ConflictCheck, SubscriberAdmin):
    pass


# Content without a history of its own still never saves over another's save (redirects,
# registered after the desk, take the mixin in their own admin).
for model, model_admin in [
    (Page, PageConflictAdmin),
    (Issue, IssueConflictAdmin),
    (Subscriber, SubscriberConflictAdmin),
]:
    admin.site.unregister(model)
    admin.site.register(model, model_admin)


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """The review record, read only: who decided what, when, and why."""

    list_display = ["created_at", "publication", "action", "user", "comment"]
    list_filter = ["action"]
    list_select_related = ["publication", "user"]
    search_fields = ["publication__title", "comment"]
    fields = ["created_at", "publication", "action", "user", "comment", "proposal"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
