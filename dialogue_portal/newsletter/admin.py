import smtplib

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.mail import mailers
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dialogue_portal.audit.services import Action, record
from dialogue_portal.core import spreadsheet
from dialogue_portal.newsletter import mail, services
from dialogue_portal.newsletter.models import (
    MANAGE_SUBSCRIBERS,
    SEND_TO_ALL,
    Delivery,
    Issue,
    Subscriber,
)


class PersonalDataAdmin(admin.ModelAdmin):
    """Subscribers' addresses, consent and deliveries: only for holders of
    ``newsletter.manage_subscribers`` (the "Newsletter managers"), whatever model
    permissions an account was given besides. Without it the admin lists nothing of it,
    and its pages answer 403."""

    def _manages_subscribers(self, request):
        return request.user.has_perm(MANAGE_SUBSCRIBERS)

    def has_module_permission(self, request):
        return self._manages_subscribers(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._manages_subscribers(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._manages_subscribers(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._manages_subscribers(request) and super().has_delete_permission(request, obj)


@admin.register(Subscriber)
class SubscriberAdmin(PersonalDataAdmin):
    list_display = [
        "__str__",
        "email",
        "state",
        "language",
        "frequency",
        "topic_names",
        "confirmed_at",
    ]
    list_filter = ["state", "language", "frequency", "topics", "consent_version"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    actions = ["export_csv", "erase_selected"]
    fields = [
        "email",
        "state",
        "language",
        "frequency",
        "topics",
        "consent_at",
        "consent_version",
        "consent_language",
        "consent_source",
        "confirmed_at",
        "unsubscribed_at",
        "suppressed_at",
        "suppressed_reason",
        "temporary_failures",
        "created_at",
    ]
    readonly_fields = [
        "email",
        "state",
        "consent_at",
        "consent_version",
        "consent_language",
        "consent_source",
        "confirmed_at",
        "unsubscribed_at",
        "suppressed_at",
        "suppressed_reason",
        "temporary_failures",
        "created_at",
    ]
    filter_horizontal = ["topics"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    def has_add_permission(self, request):
        return False  # addresses come only through the double opt-in form

    @admin.display(description=_("topics"))
    def topic_names(self, subscriber):
        names = [topic.name for topic in subscriber.topics.all()]
        return ", ".join(names) if names else _("all")

    @admin.action(description=_("Export the selected subscribers as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        record(
            Action.SUBSCRIBERS_EXPORTED,
            request=request,
            detail=f"{queryset.count()} subscribers",
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
        writer = spreadsheet.writer(response)
        writer.writerow(
            ["email", "state", "language", "frequency", "topics", "consent_at", "confirmed_at"]
        )
        for subscriber in queryset.prefetch_related("topics").order_by("pk"):
            writer.writerow(
                [
                    subscriber.email,
                    subscriber.state,
                    subscriber.language,
                    subscriber.frequency,
                    "; ".join(topic.name for topic in subscriber.topics.all()),
                    subscriber.consent_at.isoformat() if subscriber.consent_at else "",
                    subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                ]
            )
        return response

    @admin.action(
        description=_("Erase the selected subscribers (their address everywhere)"),
        permissions=["change"],
    )
    def erase_selected(self, request, queryset):
        """A subscriber who asks by mail to be forgotten: erased as by their own link, after a
        confirmation page (the list's POST, then this page's POST with ``post=yes``)."""
        chosen = queryset.exclude(state=Subscriber.State.ERASED).order_by("pk")
        if request.POST.get("post") == "yes":
            count = 0
            for subscriber in chosen:
                services.erase(subscriber, request=request)
                count += 1
            self.message_user(
                request,
                ngettext("%(count)s subscriber erased.", "%(count)s subscribers erased.", count)
                % {"count": count},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/newsletter/subscriber/erase_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Erase subscribers"),
                "opts": self.opts,
                "subscribers": chosen,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


def preview_subscriber(user, language):
    """Who a preview or test is addressed to: the editor, in the language asked for. Its
    links lead nowhere (no subscriber has id 0)."""
    return Subscriber(
        pk=0,
        email=user.email or "preview@localhost",
        language=language,
        consent_language=language,
        manage_key="preview",
    )


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "status",
        "queued_at",
        "sent_at",
        "sent_count",
        "failed_count",
        "suppressed_count",
    ]
    list_filter = ["status"]
    search_fields = ["subject", "subject_ru"]
    prepopulated_fields = {"slug": ["subject"]}
    autocomplete_fields = ["publications"]
    readonly_fields = [
        "status",
        "queued_at",
        "sent_at",
        "sent_count",
        "failed_count",
        "suppressed_count",
        "previews",
    ]
    fieldsets = [
        (None, {"fields": ["subject", "subject_ru", "slug", "body", "body_ru", "publications"]}),
        (
            _("Sending"),
            {
                "fields": [
                    "previews",
                    "status",
                    "queued_at",
                    "sent_at",
                    "sent_count",
                    "failed_count",
                    "suppressed_count",
                ]
            },
        ),
    ]
    change_form_template = "admin/newsletter/issue/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != Issue.Status.DRAFT:
            # Once queued, what subscribers receive no longer changes.
            fields += ["subject", "subject_ru", "slug", "body", "body_ru", "publications"]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.status != Issue.Status.DRAFT:
            return {}
        return super().get_prepopulated_fields(request, obj)

    @admin.display(description=_("preview"))
    def previews(self, issue):
        if issue.pk is None:
            return _("Save the issue to preview it.")
        return format_html(
            '<a href="{}" target="_blank">{}</a> · <a href="{}" target="_blank">{}</a>',
            reverse("admin:newsletter_issue_preview", args=[issue.pk, "en"]),
            _("Preview in English"),
            reverse("admin:newsletter_issue_preview", args=[issue.pk, "ru"]),
            _("Preview in Russian"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/<str:language>/",
                self.admin_site.admin_view(self.preview_view),
                name="newsletter_issue_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk, language):
        """The HTML part of the mail as a subscriber reading ``language`` receives it."""
        issue = get_object_or_404(Issue, pk=pk)
        if not self.has_view_permission(request, issue) or language not in ("en", "ru"):
            return HttpResponse(status=404)
        publications = list(issue.publications.published().order_by("-published_at"))
        message = mail.issue(preview_subscriber(request.user, language), issue, publications)
        html = message.alternatives[0].content
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response

    def response_change(self, request, obj):
        if "_send_test" in request.POST:
            return self._send_test(request, obj)
        if "_send_all" in request.POST:
            return self._send_all(request, obj)
        return super().response_change(request, obj)

    def _back(self, obj):
        return HttpResponseRedirect(reverse("admin:newsletter_issue_change", args=[obj.pk]))

    def _send_test(self, request, issue):
        """A test to the editor alone, in both languages, "[TEST]" in the subject."""
        if not request.user.is_staff or not request.user.email:
            self.message_user(
                request, _("Your account has no e-mail address to send a test to."), messages.ERROR
            )
            return self._back(issue)
        publications = list(issue.publications.published().order_by("-published_at"))
        test_mails = [
            mail.issue(
                preview_subscriber(request.user, language),
                issue,
                publications,
                test=True,
                to=[request.user.email],
            )
            for language in ("en", "ru")
        ]
        try:
            mailers.default.send_messages(test_mails)
        except (smtplib.SMTPException, OSError) as error:
            self.message_user(
                request,
                _("The test could not be sent: %(error)s") % {"error": error},
                messages.ERROR,
            )
            return self._back(issue)
        self.message_user(
            request,
            _("A test in English and in Russian was sent to %(email)s.")
            % {"email": request.user.email},
            messages.SUCCESS,
        )
        return self._back(issue)

    def render_change_form(self, request, context, *args, **kwargs):
        context["may_send_to_all"] = request.user.has_perm(SEND_TO_ALL)
        return super().render_change_form(request, context, *args, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Refused before the form saves anything: sending to everyone is a permission of
        # its own (the "Newsletter managers"), not part of editing an issue.
        sending = request.method == "POST" and "_send_all" in request.POST
        if sending and not request.user.has_perm(SEND_TO_ALL):
            raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _send_all(self, request, issue):
        """Queue the issue: ``manage.py send_newsletter`` (cron) does the sending."""
        if not request.user.has_perm(SEND_TO_ALL):
            raise PermissionDenied
        if issue.queue():
            record(Action.SENT_TO_ALL, request=request, target=issue, detail="queued")
            self.message_user(
                request,
                _(
                    "The issue is queued: the next run of the sender mails it to every "
                    "confirmed subscriber. Its counts below show the progress."
                ),
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("This issue was queued already."), messages.WARNING)
        return self._back(issue)


@admin.register(Delivery)
class DeliveryAdmin(PersonalDataAdmin):
    list_display = ["key", "subscriber", "status", "attempts", "sent_at", "error"]
    list_filter = ["status"]
    search_fields = ["key"]
    list_select_related = ["subscriber"]
    readonly_fields = ["subscriber", "key", "issue", "status", "attempts", "error", "sent_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
