import datetime as dt

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from dialogue_portal.core import spreadsheet
from dialogue_portal.core.bursts import NotABurst
from dialogue_portal.core.textsearch import clean_query, words_match
from polls import services
from polls.models import Choice, Poll, Vote
from publications.models import Rating
from publications.services import burst_ratings, rating_bursts, void_ratings


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["order", "text", "text_ru", "vote_count"]
    readonly_fields = ["vote_count"]


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = [
        "question",
        "opens_at",
        "closes_at",
        "placement",
        "total_votes",
        "is_published",
    ]
    list_filter = ["is_published", "placement", "results_visibility"]
    search_fields = Poll.SEARCH_FIELDS  # read as the site's search reads them (below)
    prepopulated_fields = {"slug": ["question"]}
    autocomplete_fields = ["publications"]
    readonly_fields = ["total_votes", "results_table", "votes_per_day"]
    inlines = [ChoiceInline]
    actions = ["close_now", "export_results_csv"]
    fieldsets = [
        (None, {"fields": ["question", "question_ru", "slug", "description", "description_ru"]}),
        (
            _("When and where"),
            {
                "fields": [
                    "is_published",
                    "opens_at",
                    "closes_at",
                    "results_visibility",
                    "placement",
                    "publications",
                ]
            },
        ),
        (_("Results"), {"fields": ["total_votes", "results_table", "votes_per_day"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_choices()

    def get_search_results(self, request, queryset, search_term):
        """As the site's search finds polls: every word in any order, in either alphabet
        and case, a word's other forms on SQLite (textsearch.words_match)."""
        text = clean_query(search_term)
        if not text:
            return queryset, False
        return queryset.filter(words_match(text, self.search_fields)), False

    @admin.display(description=_("results"))
    def results_table(self, poll):
        if poll.pk is None:
            return "—"
        results = poll.results()
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}%</td></tr>",
            ((row.choice.text, row.votes, row.percent) for row in results),
        )
        return format_html(
            '<table class="poll-admin-results"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr>'
            "</thead><tbody>{}</tbody><tfoot><tr><th>{}</th><th>{}</th><th></th></tr></tfoot>"
            "</table>",
            _("Answer"),
            _("Votes"),
            pgettext_lazy("share of the votes", "Share"),
            rows,
            _("Total"),
            results.total,
        )

    @admin.display(description=_("votes per day"))
    def votes_per_day(self, poll):
        if poll.pk is None:
            return "—"
        days = (
            Vote.objects.counted()
            .filter(poll=poll)
            .annotate(day=TruncDate("created_at"))
            .values("day")
            .annotate(votes=Count("pk"))
            .order_by("day")
        )
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td></tr>", ((d["day"], d["votes"]) for d in days)
        )
        if not rows:
            return _("No votes yet.")
        return format_html(
            '<table class="poll-admin-days"><thead><tr><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            _("Day"),
            _("Votes"),
            rows,
        )

    @admin.action(description=_("Close now"), permissions=["change"])
    def close_now(self, request, queryset):
        closed = services.close_polls(polls=queryset, now=timezone.now())
        self.message_user(
            request,
            ngettext("%d poll closed.", "%d polls closed.", closed) % closed,
            messages.SUCCESS,
        )

    @admin.action(description=_("Export results as CSV"), permissions=["view"])
    def export_results_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="poll-results.csv"'
        writer = spreadsheet.writer(response)
        writer.writerow(["poll", "question", "answer", "votes", "percent", "total", "closes"])
        for poll in queryset.prefetch_related(None).with_choices().order_by("opens_at", "pk"):
            results = poll.results()
            closes = poll.closes_at.isoformat() if poll.closes_at else ""
            for row in results:
                writer.writerow(
                    [
                        poll.slug,
                        poll.question,
                        row.choice.text,
                        row.votes,
                        row.percent,
                        results.total,
                        closes,
                    ]
                )
        return response

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Deleting an answer deletes its votes: keep the poll's total equal to its rows.
        services.recount_votes(Poll.objects.filter(pk=form.instance.pk))


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["poll", "choice", "created_at", "address_hash", "voided_at", "voided_by"]
    list_filter = ["poll", ("voided_at", admin.EmptyFieldListFilter)]
    list_select_related = ["poll", "choice", "voided_by"]
    fields = ["poll", "choice", "created_at", "address_hash", "voided_at", "voided_by"]
    readonly_fields = fields
    change_list_template = "admin/polls/vote/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        self.delete_queryset(request, Vote.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.delete_votes(votes=queryset)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("bursts/", view(self.bursts_view), name="polls_vote_bursts"),
            *super().get_urls(),
        ]

    def bursts_view(self, request):
        """Minutes in which a poll or a publication, or one address hash in it, took many
        votes or ratings; a reviewer selects bursts and voids them (POST, CSRF, the "void
        votes" or "void ratings" permission for each kind)."""
        may_void_votes = request.user.has_perm("polls.void_vote")
        may_void_ratings = request.user.has_perm("publications.void_rating")
        if not (may_void_votes or may_void_ratings):
            raise PermissionDenied
        if request.method == "POST":
            return self._void_bursts(request, may_void_votes, may_void_ratings)
        since = timezone.now() - dt.timedelta(days=settings.BURST_DAYS)
        least = settings.BURST_MIN_VOTES
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Bursts of votes and ratings"),
            "min_votes": least,
            "days": settings.BURST_DAYS,
            "may_void_votes": may_void_votes,
            "may_void_ratings": may_void_ratings,
        }
        if may_void_votes:
            context["by_poll"] = services.bursts(since=since, min_votes=least, by_address=False)
            context["by_address"] = services.bursts(since=since, min_votes=least, by_address=True)
        if may_void_ratings:
            context["ratings_by_publication"] = rating_bursts(
                since=since, min_ratings=least, by_address=False
            )
            context["ratings_by_address"] = rating_bursts(
                since=since, min_ratings=least, by_address=True
            )
        return TemplateResponse(request, "admin/polls/vote/bursts.html", context)

    def _void_bursts(self, request, may_void_votes, may_void_ratings):
        vote_keys = request.POST.getlist("burst")
        rating_keys = request.POST.getlist("rating_burst")
        back = HttpResponseRedirect(reverse("admin:polls_vote_bursts"))
        if (vote_keys and not may_void_votes) or (rating_keys and not may_void_ratings):
            raise PermissionDenied
        if not (vote_keys or rating_keys):
            self.message_user(request, _("Select the bursts to void."), messages.WARNING)
            return back
        try:
            vote_selections = [services.burst_votes(key) for key in vote_keys]
            rating_selections = [burst_ratings(key) for key in rating_keys]
        except NotABurst:
            error = _("That is not a burst: nothing was voided.")
            self.message_user(request, error, messages.ERROR)
            return back
        votes, ratings = Vote.objects.none(), Rating.objects.none()
        for selection in vote_selections:
            votes = votes | selection
        for selection in rating_selections:
            ratings = ratings | selection
        with transaction.atomic():
            voided = services.void_votes(votes=votes, user=request.user) if vote_keys else 0
            rated = void_ratings(ratings=ratings, user=request.user) if rating_keys else 0
        if vote_keys:
            self.message_user(
                request,
                ngettext(
                    "%d vote voided: it stays stored, and no total counts it.",
                    "%d votes voided: they stay stored, and no total counts them.",
                    voided,
                )
                % voided,
                messages.SUCCESS,
            )
        if rating_keys:
            self.message_user(
                request,
                ngettext(
                    "%d rating voided: it stays stored, and no total counts it.",
                    "%d ratings voided: they stay stored, and no total counts them.",
                    rated,
                )
                % rated,
                messages.SUCCESS,
            )
        return back
