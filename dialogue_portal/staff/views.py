"""Admin pages of our own: the editor's preferences and the figures for editors. Each is
wrapped in the admin site's ``admin_view`` (staff only, login redirect, no caching) and
rendered inside the admin's own layout."""

from django.contrib import admin, messages
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dialogue_portal.core import spreadsheet
from dialogue_portal.staff import charts
from dialogue_portal.staff.figures import METRICS, PERIODS, collect, parse_period
from dialogue_portal.staff.forms import PreferencesForm
from dialogue_portal.staff.middleware import admin_language
from dialogue_portal.staff.models import AdminProfile
from polls.models import Vote
from publications.models import DailyCount


def preferences(request):
    """The signed-in staff user's own admin preferences (for now: the admin's language)."""
    profile = AdminProfile.objects.filter(user=request.user).first() or AdminProfile(
        user=request.user
    )
    form = PreferencesForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Say so in the language just chosen (the next page will be in it).
        translation.activate(admin_language(request))
        messages.success(request, _("Your preferences were saved."))
        return redirect("staff:preferences")
    context = {
        **admin.site.each_context(request),
        "title": _("My preferences"),
        "form": form,
    }
    return TemplateResponse(request, "staff/preferences.html", context)


def figures(request):
    period = parse_period(request.GET)
    data = collect(period)
    metric_names = {
        "views": pgettext("figures", "Views"),
        "downloads": pgettext("figures", "Downloads"),
        "ratings": pgettext("figures", "Ratings"),
        "votes": pgettext("figures", "Votes"),
    }
    context = {
        **admin.site.each_context(request),
        "title": _("Figures for editors"),
        "figures": data,
        "periods": PERIODS,
        "period": period,
        "daily_charts": [
            (metric, metric_names[metric], charts.daily_chart(data.days, metric))
            for metric in METRICS
        ],
        "ranking": charts.ranking_chart(data.top, "views"),
    }
    return TemplateResponse(request, "staff/figures.html", context)


class _Echo:
    def write(self, value):
        return value


def figures_csv(request):
    """The period's figures per publication per day, then the votes per poll per day."""
    period = parse_period(request.GET)
    first, after = period.bounds
    publication_rows = (
        DailyCount.objects.filter(day__gte=period.start, day__lte=period.end)
        .values_list(
            "day",
            "publication__slug",
            "publication__title",
            "publication__language",
            *METRICS,
        )
        .order_by("day", "publication_id")
    )
    poll_rows = (
        Vote.objects.counted()
        .filter(created_at__gte=first, created_at__lt=after)
        .values_list("created_at__date", "poll__slug", "poll__question")
        .annotate(votes=Count("pk"))
        .order_by("created_at__date", "poll_id")
    )

    def lines():
        writer = spreadsheet.writer(_Echo())
        yield writer.writerow(["kind", "day", "slug", "title", "language", *METRICS])
        for day, slug, title, language, *counts in publication_rows.iterator():
            yield writer.writerow(["publication", day.isoformat(), slug, title, language, *counts])
        for day, slug, question, votes in poll_rows.iterator():
            yield writer.writerow(["poll", day.isoformat(), slug, question, "", "", "", "", votes])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"figures-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
