import datetime as dt
import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import DetailView, ListView

from dialogue_portal.core import proofofwork
from dialogue_portal.core.links import site_path
from dialogue_portal.core.pagecache import anonymous_page_cache
from dialogue_portal.core.ratelimit import hit, hits, limit_writes
from dialogue_portal.newsletter import services, tasks, tokens
from dialogue_portal.newsletter.forms import CONSENT_TEXT, PreferencesForm, SubscribeForm
from dialogue_portal.newsletter.models import ConfirmationMail, Issue, SubscribeRequest

BAD_LINK_MESSAGES = {
    "expired": gettext_lazy("This link has expired: confirmation links work for 72 hours."),
    "used": gettext_lazy("This link has already been used, or a newer one has replaced it."),
    "invalid": gettext_lazy(
        "This link is not valid. Copy the whole link from the mail, or ask again."
    ),
}


def bad_link(request, error, *, status=400):
    response = render(
        request,
        "newsletter/bad_link.html",
        {"reason": error.reason, "message": BAD_LINK_MESSAGES[error.reason]},
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Requests from one client address in an hour: up to SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR
# as they come, then only with a solved proof-of-work check (the poll's, scoped to this
# form), up to SUBSCRIBE_REQUESTS_WITH_CHECK_PER_CLIENT_PER_HOUR in all. While the whole site
# is busy (SUBSCRIBE_CHECK_FOR_ALL_PER_HOUR confirmation mails in the last hour: requests
# spread over many networks), every client needs the check from its first request.
CHECK_SCOPE = "subscribe"
HOUR = 60 * 60
HOURLY_SCOPE = "subscribe-hour"

CHECK_FAILED_MESSAGES = {
    "replayed": gettext_lazy(
        "This check was used already, so no mail was sent. Please tick the box again and "
        "press Subscribe."
    ),
    "expired": gettext_lazy(
        "The check expired, so no mail was sent. Please tick the box again and press Subscribe."
    ),
    "invalid": gettext_lazy(
        "The check did not pass, so no mail was sent. Please tick the box again and press "
        "Subscribe."
    ),
}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    """The newsletter page and its form; the footer form posts here too."""
    if request.method == "POST":
        return _subscribe_post(request)
    form = SubscribeForm(
        initial={"language": _interface_language(), "source": site_path(request.path)}
    )
    return _subscribe_page(request, form, challenge=_check_needed(request))


def _subscribe_page(request, form, *, status=200, challenge=False):
    return render(
        request,
        "newsletter/subscribe.html",
        {"form": form, "consent": CONSENT_TEXT, "challenge": challenge},
        status=status,
    )


@limit_writes("subscribe")
def _subscribe_post(request):
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _subscribe_page(request, form, status=400, challenge=_check_needed(request))
    refusal = _client_refusal(request, form)
    if refusal is not None:
        return refusal
    data = form.cleaned_data
    # Whatever the address's state, the worker does the rest and the answer is the same,
    # in content and in time: nothing is revealed and no mail leaves from here.
    asked = SubscribeRequest.objects.create(
        email=data["email"],
        language=data["language"],
        frequency=data["frequency"],
        topics=sorted(data.get("topics") or []),
        consent_language=_interface_language(),
        source=(data["source"] or site_path(request.path))[:200],
    )
    tasks.handle_subscribe_request.enqueue(asked.pk)
    return redirect("newsletter:check-inbox")


def _allowance():
    """(free, hard): the requests a client address may make this hour without the check,
    and in all. No free ones while the site is busy."""
    free = settings.SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR
    hard = settings.SUBSCRIBE_REQUESTS_WITH_CHECK_PER_CLIENT_PER_HOUR
    if free and hard > free and _site_busy():
        return 0, hard
    return free, hard


def _site_busy():
    busy = settings.SUBSCRIBE_CHECK_FOR_ALL_PER_HOUR
    if not busy:
        return False
    since = timezone.now() - dt.timedelta(seconds=HOUR)
    return ConfirmationMail.objects.filter(sent_at__gt=since).count() >= busy


def _check_needed(request):
    """Whether this client's next request needs the check: its free requests of the hour
    are used (or the site is busy), and the check can still help (the hard cap is not
    reached)."""
    if not settings.SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR:
        return False
    free, hard = _allowance()
    if hard <= free:
        return False
    return free <= hits(request, scope=HOURLY_SCOPE, window=HOUR) < hard


def _client_refusal(request, form):
    """None when this client address may ask now, or the form again, as typed, refusing.

    Counted per client address before the address typed is looked at: the refusal says
    nothing about it. Past its free requests, a request without the check is refused and
    not counted (a reader without JavaScript trying again uses up nothing); one with a
    solved check counts up to the hard cap, and a check is accepted once only.
    """
    if not settings.SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR:
        return None
    free, hard = _allowance()
    payload = request.POST.get("altcha", "")
    if payload and hard > free:
        verdict = proofofwork.verify(payload, CHECK_SCOPE)
        if not verdict.accepted:
            reason = verdict.reason if verdict.reason in CHECK_FAILED_MESSAGES else "invalid"
            return _refused(request, form, CHECK_FAILED_MESSAGES[reason], status=400)
        if hit(request, scope=HOURLY_SCOPE, limit=hard, window=HOUR):
            return None
    elif hits(request, scope=HOURLY_SCOPE, window=HOUR) < free:
        if hit(request, scope=HOURLY_SCOPE, limit=free, window=HOUR):
            return None
        if hard > free:  # another request took the last free one meanwhile
            return _ask_for_check(request, form)
    elif _check_needed(request):
        return _ask_for_check(request, form)
    message = _(
        "Too many subscription requests have come from your network in the last hour, so "
        "no mail was sent. Please try again in an hour."
    )
    return _refused(request, form, message, status=429, retry_after=HOUR, challenge=False)


@require_GET
@never_cache
@limit_writes("challenge")
def challenge(request):
    """A new proof-of-work challenge for the subscribe form (JSON, as the widget reads it)."""
    return JsonResponse(proofofwork.challenge(CHECK_SCOPE))


def _ask_for_check(request, form):
    """429: past its free requests, this client's request needs the check, and came
    without it."""
    message = _(
        "Many subscription requests have come from your network in the last hour, so no "
        "mail was sent: a request now needs a short check that your browser solves (it "
        "needs JavaScript). Tick the box below, wait a moment and press Subscribe again."
    )
    return _refused(request, form, message, status=429, retry_after=60)


def _refused(request, form, message, *, status, retry_after=0, challenge=True):
    form.add_error(None, message)
    response = _subscribe_page(request, form, status=status, challenge=challenge)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _interface_language():
    return (get_language() or "en").split("-")[0]


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's own 403 page, except for the subscribe form. Its footer
    copy sits on pages cached for everyone and gets its token from JavaScript; a reader
    without JavaScript posts it without one. They get the newsletter page instead, their
    entries filled in and a fresh token, to send once more. Nothing is stored or sent
    without a valid token."""
    match = getattr(request, "resolver_match", None)
    if request.method != "POST" or match is None or match.view_name != "newsletter:subscribe":
        return django_csrf_failure(request, reason=reason)
    posted = {
        name: request.POST.get(name, "")
        for name in ("email", "language", "frequency", "source")
        if "\r" not in request.POST.get(name, "") and "\n" not in request.POST.get(name, "")
    }
    posted["consent"] = bool(request.POST.get("consent"))
    form = SubscribeForm(initial=posted)
    response = render(
        request,
        "newsletter/subscribe.html",
        {"form": form, "consent": CONSENT_TEXT, "send_again": True},
        status=403,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@never_cache
def check_inbox(request):
    return render(request, "newsletter/check_inbox.html")


@require_GET
@never_cache
def csrf_field(request):
    """The footer form's CSRF token, fetched when a reader starts filling it in (the pages
    around the form are cached for everyone, so the token cannot be in them)."""
    response = render(request, "newsletter/footer.html#csrf")
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a button (mail scanners open links: a GET changes nothing); POST confirms."""
    if request.method != "POST":
        try:
            services.subscriber_for_confirmation(token)
        except tokens.BadLink as error:
            return bad_link(request, error)
        return render(request, "newsletter/confirm.html", {"token": token})
    try:
        subscriber = services.confirm(token)
    except tokens.BadLink as error:
        return bad_link(request, error)
    messages.success(
        request, _("Your subscription is confirmed. You may choose your topics below.")
    )
    return redirect("newsletter:manage", token=tokens.manage_token(subscriber))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    """Preferences by signed link, no login: language, topics, frequency, and the links to
    unsubscribe, download one's data and erase it."""
    try:
        subscriber = services.subscriber_for_link(token)
    except tokens.BadLink as error:
        return bad_link(request, error)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.update_preferences(
                subscriber,
                language=form.cleaned_data["language"],
                frequency=form.cleaned_data["frequency"],
                topics=form.cleaned_data["topics"],
            )
            messages.success(request, _("Your choices are saved."))
            return redirect("newsletter:manage", token=token)
        status = 400
    else:
        form = PreferencesForm(
            initial={
                "language": subscriber.language,
                "frequency": subscriber.frequency,
                "topics": list(subscriber.topics.values_list("pk", flat=True)),
            }
        )
        status = 200
    return render(
        request,
        "newsletter/manage.html",
        {"subscriber": subscriber, "form": form, "token": token},
        status=status,
    )


@require_GET
@never_cache
def download_data(request, token):
    try:
        subscriber = services.subscriber_for_link(token)
    except tokens.BadLink as error:
        return bad_link(request, error)
    response = HttpResponse(
        json.dumps(services.export_data(subscriber), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="newsletter-data.json"'
    return response


@require_POST
@never_cache
def erase(request, token):
    try:
        subscriber = services.subscriber_for_link(token)
    except tokens.BadLink as error:
        return bad_link(request, error)
    services.erase(subscriber)
    return render(request, "newsletter/erased.html")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """RFC 8058 one-click unsubscribe: a mail client POSTs here with no cookie and no CSRF
    token, so this one view is exempt from CSRF; the signed token in the address is what
    authenticates it. A GET (a person clicking the link) only shows the button."""
    try:
        subscriber = services.subscriber_for_link(token)
    except tokens.BadLink as error:
        return bad_link(request, error)
    if request.method == "POST":
        services.unsubscribe(subscriber)
        return render(
            request, "newsletter/unsubscribed.html", {"subscriber": subscriber, "token": token}
        )
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})


@method_decorator(anonymous_page_cache, name="dispatch")
class ArchiveView(ListView):
    template_name = "newsletter/archive.html"
    context_object_name = "issues"
    paginate_by = 20

    def get_queryset(self):
        return Issue.objects.filter(status=Issue.Status.SENT).only(
            "subject", "subject_ru", "slug", "sent_at"
        )

    def paginate_queryset(self, queryset, page_size):
        """Junk or out-of-range ``?page=`` gives the first or last page, never a 404 or 500."""
        paginator = self.get_paginator(queryset, page_size)
        raw = self.request.GET.get("page", "1")
        number = int(raw) if raw.isdigit() else 1
        page = paginator.get_page(number)
        return paginator, page, page.object_list, page.has_other_pages()


@method_decorator(anonymous_page_cache, name="dispatch")
class IssueView(DetailView):
    template_name = "newsletter/issue.html"
    context_object_name = "issue"

    def get_queryset(self):
        return Issue.objects.filter(status=Issue.Status.SENT)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["publications"] = list(
            self.object.publications.published().order_by("-published_at")
        )
        return context
