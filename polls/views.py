import functools

from django.conf import settings
from django.contrib import messages
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, ListView

from dialogue_portal.core import proofofwork
from dialogue_portal.core.clientip import hashed_client_ip
from dialogue_portal.core.pagecache import (
    NO_QUERY,
    PAGED,
    anonymous_page_cache,
    forget_recent,
    recent,
    remember,
    totals_source,
)
from dialogue_portal.core.ratelimit import add_event, limit_writes
from dialogue_portal.core.readers import (
    issue_reader,
    known_reader,
    reader_for_write,
    remember_reader,
)
from polls import services
from polls.models import Poll
from publications.models import Publication

# A poll's counts on cached pages: holes filled from fragments that votes age.
totals_source(
    "poll",
    fetch=lambda ids: Poll.objects.with_choices().in_bulk(ids),
    render=lambda poll: render_to_string(
        "polls/poll_detail.html#results", {"results": poll.results()}
    ),
)
totals_source(
    "poll_votes",
    fetch=lambda ids: Poll.objects.only("pk", "opens_at", "closes_at", "total_votes").in_bulk(ids),
    render=lambda poll: render_to_string("polls/poll_list.html#votes", {"poll": poll}),
)


@method_decorator(anonymous_page_cache(query=PAGED), name="dispatch")
class PollListView(ListView):
    """The archive: every poll that has opened, with its results where everyone may see them."""

    template_name = "polls/poll_list.html"
    context_object_name = "polls"
    paginate_by = 20

    def get_queryset(self):
        return Poll.objects.public().with_choices()

    def paginate_queryset(self, queryset, page_size):
        """Any ``?page=`` gives a page: junk or 0 the first, past the end the last."""
        paginator = self.get_paginator(queryset, page_size)
        raw = self.request.GET.get("page", "1")
        try:
            page = paginator.page(raw)
        except PageNotAnInteger:
            page = paginator.page(1)
        except EmptyPage:
            page = paginator.page(
                paginator.num_pages if raw.lstrip("-").isdigit() and int(raw) > 1 else 1
            )
        return paginator, page, page.object_list, page.has_other_pages()


@method_decorator(anonymous_page_cache(query=NO_QUERY), name="dispatch")
class PollDetailView(DetailView):
    """The poll as every reader sees it (cacheable); the live ballot loads into it."""

    template_name = "polls/poll_detail.html"
    context_object_name = "poll"

    def get_object(self, queryset=None):
        """The poll and its answers, shared for PAGE_TOTALS_SECONDS at most (their counts
        are that old at most: ``pagecache.recent``), as the publication page's row; a vote
        makes the next reader fetch it again. Its publications are fetched for the context."""
        slug = self.kwargs["slug"]
        poll = recent(poll_page_name(slug), lambda: find_public_poll(slug), keep_none=False)
        if poll is None:
            raise Http404(_("No poll at this address."))
        return poll

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        poll = self.object
        context["results"] = poll.results() if poll.results_public else None
        context["publications"] = poll_publications(poll, get_language())
        return context


# A poll's publications change only when editors change content; a scheduled one linked to
# the poll appears this many seconds after its date at most. Building the query (each
# work once) costs the page more than running it: some 10 ms of a 19 ms miss at 100,000.
POLL_PUBLICATIONS_SECONDS = 300


def poll_publications(poll, language):
    """The poll's published publications, each work once, in ``language`` where the poll
    links a version in it: shared under the content version."""
    return remember(
        f"poll_publications:{poll.pk}:{language}",
        lambda: list(
            Publication.objects.published()
            .filter(polls=poll)
            .one_per_work(language)
            .only("pk", "slug", "title", "kind", "published_at")
        ),
        POLL_PUBLICATIONS_SECONDS,
    )


# What a vote checks (the poll, its dates, its answers) may come from the shared cache,
# kept under the content version: a vote storm's writes then make one query, the vote's
# own statement, which checks again on the rows that the poll is open.
POLL_TO_VOTE_SECONDS = 300


def find_public_poll(slug):
    """The public poll at ``slug`` and its answers with their counts (two queries), or None."""
    return Poll.objects.public().with_choices().filter(slug=slug).first()


def poll_page_name(slug):
    """The name the poll page's row is shared under (``pagecache.recent``)."""
    return f"poll:{slug}"


def public_poll(slug, *, shared=False):
    """The public poll at ``slug`` and its answers, or 404: with their counts as they
    stand, or (``shared``) as kept in the shared cache for POLL_TO_VOTE_SECONDS at most,
    for what a vote checks (its counts may be old there: never shown). Only a poll found
    is kept: a scheduled one opens on its date."""
    find = functools.partial(find_public_poll, slug)
    poll = remember(f"poll_to_vote:{slug}", find, POLL_TO_VOTE_SECONDS) if shared else find()
    if poll is None:
        raise Http404(_("No poll at this address."))
    return poll


def _scope(poll):
    return f"poll:{poll.pk}"


def check_policy(poll):
    """When an anonymous vote in ``poll`` needs the proof-of-work check, and its caps."""
    return proofofwork.Policy(
        scope=_scope(poll),
        busy_per_minute=settings.POLL_BUSY_VOTES_PER_MINUTE,
        cap=settings.VOTES_PER_ADDRESS_PER_POLL_PER_DAY,
        stricter=settings.VOTES_WITHOUT_CHALLENGE_PER_ADDRESS_PER_POLL_PER_DAY,
    )


# What a refused anonymous vote is told (proofofwork.anonymous_slot).
REFUSALS = proofofwork.Refusals(
    busy_scope=gettext_lazy(
        "Many votes are arriving in this poll right now, so a vote needs a short check "
        "that your browser solves (it needs JavaScript): your vote was not counted. "
        "Please vote again with JavaScript on, or try again later."
    ),
    busy_address=gettext_lazy(
        "Many votes in this poll came from your network today, so a vote needs a short "
        "check that your browser solves (it needs JavaScript): your vote was not counted. "
        "Please vote again with JavaScript on."
    ),
    full=gettext_lazy(
        "Too many votes in this poll from your network today: your vote was not "
        "counted. Please try again tomorrow."
    ),
    replayed=gettext_lazy(
        "This check was used already: your vote was not counted. Please vote again."
    ),
    expired=gettext_lazy("The check expired: your vote was not counted. Please vote again."),
    invalid=gettext_lazy("The check did not pass: your vote was not counted. Please vote again."),
)


def render_ballot(request, poll, *, vote=None, status=200, notice="", error="", challenge=None):
    """The reader's own view of a poll: the form, their vote, and results when allowed.
    ``challenge`` (None: asked here) says whether the form carries the proof-of-work check."""
    has_voted = vote is not None
    can_vote = poll.is_open and not has_voted
    if challenge is None:
        challenge = (
            can_vote
            and not request.user.is_authenticated
            and bool(check_policy(poll).busy(request))
        )
    context = {
        "poll": poll,
        "vote": vote,
        "can_vote": can_vote,
        "challenge": challenge,
        "results": poll.results() if poll.results_visible(has_voted=has_voted) else None,
        "notice": notice,
        "error": error,
    }
    template = "polls/ballot.html#widget" if request.htmx else "polls/ballot.html"
    return render(request, template, context, status=status)


@require_GET
@never_cache
def ballot(request, slug):
    """The live, per-reader poll widget (a page without JavaScript, a fragment with htmx).
    It issues a new anonymous reader the signed cookie a vote needs, when it shows the form."""
    poll = public_poll(slug)
    reader = known_reader(request)
    vote = services.reader_vote(poll=poll, reader=reader)
    response = render_ballot(request, poll, vote=vote)
    if reader is None and poll.is_open:
        remember_reader(response, issue_reader())
    return response


@require_GET
@never_cache
@limit_writes("challenge")
def challenge(request, slug):
    """A new proof-of-work challenge for a vote in this poll (JSON, as the widget reads it)."""
    poll = public_poll(slug, shared=True)
    return JsonResponse(proofofwork.challenge(_scope(poll)))


def _chosen(poll, raw):
    """The answer of ``poll`` the form names, or None (missing, junk or another poll's)."""
    try:
        pk = int(raw or "")
    except ValueError:
        return None
    return next((choice for choice in poll.choices.all() if choice.pk == pk), None)


def _refused(request, slug, rejected):
    poll = public_poll(slug)  # with its counts as they are
    if isinstance(rejected, services.PollClosed):
        error = _("This poll is closed: it no longer takes votes.")
    elif isinstance(rejected, services.PollNotOpen):
        error = _("This poll is not open yet.")
    else:
        return render_ballot(request, poll, status=400, error=_("Choose one of the answers."))
    return render_ballot(request, poll, status=409, error=error)


@require_POST
@never_cache
@limit_writes("vote")
def vote(request, slug):
    poll = public_poll(slug, shared=True)
    choice = _chosen(poll, request.POST.get("choice"))
    try:
        services.check_votable(poll=poll, choice=choice)
    except services.VoteRejected as rejected:
        return _refused(request, slug, rejected)
    reader = reader_for_write(request)
    if reader is None:  # no reader the server issued: a script's made-up browser, or cookies off
        error = _(
            "Your vote was not counted: this browser had no reader cookie from us. "
            "Please allow cookies for this site and vote again."
        )
        response = render_ballot(request, public_poll(slug), status=400, error=error)
        return remember_reader(response, issue_reader())
    slot = None
    if reader.is_anonymous:
        slot, refusal = proofofwork.anonymous_slot(
            request,
            check_policy(poll),
            written=lambda: services.reader_vote(poll=poll, reader=reader) is not None,
            render=lambda **refused: render_ballot(request, public_poll(slug), **refused),
            refusals=REFUSALS,
        )
        if refusal is not None:
            return refusal
    created = False
    try:
        cast, created = services.cast_vote(
            poll=poll, choice=choice, reader=reader, address_hash=hashed_client_ip(request)
        )
    except services.VoteRejected as rejected:
        return _refused(request, slug, rejected)
    finally:
        if slot and not created:  # a second vote or a refused one counted nothing
            slot.give_back()
    if created:
        add_event(_scope(poll))  # what makes the poll busy
        # The next reader sees this vote counted.
        services.forget_featured_polls()
        forget_recent(poll_page_name(slug))
        notice, level = _("Thank you for voting."), messages.SUCCESS
    else:
        notice, level = _("You have already voted in this poll."), messages.INFO
    if request.htmx:
        poll = public_poll(slug)  # with the answers' new counts
        return render_ballot(request, poll, vote=cast, notice=notice)
    messages.add_message(request, level, notice)
    return redirect("polls:ballot", slug=poll.slug)
