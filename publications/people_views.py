"""Pages of people and institutions: who they are and what they published.

They live beside the publications they list (``people`` knows nothing of publications);
the URLs keep the ``people`` namespace."""

import hashlib
import string

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.generic import DetailView, ListView

from dialogue_portal.core.pagecache import PAGED, QuerySpec, anonymous_page_cache, remember
from dialogue_portal.core.textsearch import clean_query, words_match
from people.models import Affiliation, Institution, Person
from publications.facets import cached_count
from publications.filters import by_institution
from publications.models import Publication
from publications.views import CardPages, card_fragments, paginate, query_without

RUSSIAN_LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ"


PEOPLE_QUERY = QuerySpec(
    single=("q", "letter", "page"), defaults={"page": "1"}, clean={"q": clean_query}
)


@method_decorator(anonymous_page_cache(query=PEOPLE_QUERY), name="dispatch")
class PersonListView(ListView):
    """Everyone who has published, A–Z, searchable by name or position."""

    template_name = "people/person_list.html"
    context_object_name = "people"
    paginate_by = 60

    def get_queryset(self):
        people = Publication.objects.published().authors().for_listing()
        self.query = clean_query(self.request.GET.get("q", ""))[:100]
        letter = self.request.GET.get("letter", "")[:1].upper()
        self.letter = letter if letter in string.ascii_uppercase + RUSSIAN_LETTERS else ""
        if self.query:
            people = people.filter(words_match(self.query, Person.SEARCH_FIELDS))
        if self.letter:
            people = people.filter(
                Q(family_name__istartswith=self.letter) | Q(family_name_ru__istartswith=self.letter)
            )
        return people

    def paginate_queryset(self, queryset, page_size):
        # Counting everyone with published work reads every published authorship (some
        # 80 ms at 100,000 publications): the count is kept as the facet counts are.
        words = hashlib.sha256(self.query.encode()).hexdigest()[:32]
        count = cached_count(f"people:{self.letter}:{words}", lambda: queryset)
        page = paginate(self.request, queryset, page_size, count=count)
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            query=self.query,
            letter=self.letter,
            letters=string.ascii_uppercase,
            query_string=query_without(self.request, "page"),
        )
        return context


# A person and their affiliations change only with editors' content; someone whose first
# publication is scheduled appears this many seconds after its date at most.
PERSON_SECONDS = 300


@method_decorator(anonymous_page_cache(query=PAGED), name="dispatch")
class PersonDetailView(DetailView):
    template_name = "people/person_detail.html"
    context_object_name = "person"

    def staff(self):
        user = self.request.user
        return user.is_authenticated and user.is_staff

    def get_object(self, queryset=None):
        """The person with their affiliations: shared by readers under the content version
        (as the list pages' term lists are); fetched for staff, who may see anyone."""
        if self.staff():
            return super().get_object(queryset)
        slug = self.kwargs["slug"]
        person = remember(
            f"person:{slug}", lambda: self.get_queryset().filter(slug=slug).first(), PERSON_SECONDS
        )
        if person is None:
            raise Http404
        return person

    def get_queryset(self):
        # Readers meet a person once they have published work (as the index, the sitemap,
        # search and the API do); editors preview anyone they added.
        people = Person.objects.all() if self.staff() else Publication.objects.published().authors()
        affiliations = Affiliation.objects.select_related("institution")
        return people.prefetch_related(Prefetch("affiliations", queryset=affiliations))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        language = get_language()
        person = self.object

        def publications():
            published = Publication.objects.published()
            return published.by_author(person).one_per_work(language).for_cards()

        total = cached_count(f"person:{person.pk}:{language}", publications)
        cards = CardPages(publications)
        page = paginate(self.request, cards, count=total)
        context["fragments"] = card_fragments("person", person.pk, page=page)
        affiliations = list(self.object.affiliations.all())
        context.update(
            page_obj=page,
            publications=page.object_list,
            current_affiliations=[a for a in affiliations if a.is_current],
            past_affiliations=[a for a in affiliations if not a.is_current],
            query_string=query_without(self.request, "page"),
        )
        return context


@method_decorator(anonymous_page_cache(query=PAGED), name="dispatch")
class InstitutionDetailView(DetailView):
    template_name = "people/institution_detail.html"
    context_object_name = "institution"
    model = Institution

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        institution = self.object
        language = get_language()

        def publications():
            return by_institution(Publication.objects.published(), institution).one_per_work(
                language
            )

        total = cached_count(f"institution:{institution.pk}:{language}", publications)
        cards = CardPages(lambda: publications().for_cards())
        page = paginate(self.request, cards, count=total)
        context["fragments"] = card_fragments("institution", institution.pk, page=page)
        context.update(
            page_obj=page,
            publications=page.object_list,
            people=Publication.objects.published()
            .authors()
            .filter(affiliations__institution=self.object, affiliations__is_current=True)
            .distinct()
            .for_listing()[:60],
            query_string=query_without(self.request, "page"),
        )
        return context
