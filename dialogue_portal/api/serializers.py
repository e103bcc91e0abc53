"""What the API says about each thing: plain fields, both spellings of a name (English and
Russian) side by side, and absolute links to the page and the API resource."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from dialogue_portal.core.links import absolute_url
from publications.models import Attachment, Publication


class PageUrlField(serializers.Field):
    """The absolute URL of the object's page on the site."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return absolute_url(value.get_absolute_url())


PageUrlField = extend_schema_field({"type": "string", "format": "uri"})(PageUrlField)


class ApiUrlField(serializers.Field):
    """The absolute URL of the object in this API."""

    def __init__(self, view_name=None, **kwargs):
        self.view_name = view_name  # None: the detail route of the view serving the list
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        view_name = self.view_name or f"api:{self.context['view'].basename}-detail"
        return absolute_url(reverse(view_name, kwargs={"slug": value.slug}))


ApiUrlField = extend_schema_field({"type": "string", "format": "uri"})(ApiUrlField)


class TermSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_ru = serializers.CharField()
    url = PageUrlField()


class TermDetailSerializer(TermSerializer):
    description = serializers.CharField()
    description_ru = serializers.CharField()


class InstitutionBriefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_ru = serializers.CharField()
    short_name = serializers.CharField()
    short_name_ru = serializers.CharField()
    url = PageUrlField()


class InstitutionSerializer(InstitutionBriefSerializer):
    api_url = ApiUrlField("api:institution-detail")
    city = serializers.CharField()
    city_ru = serializers.CharField()
    website = serializers.CharField()
    description = serializers.CharField()
    description_ru = serializers.CharField()


class ProjectSerializer(TermDetailSerializer):
    api_url = ApiUrlField("api:project-detail")
    started = serializers.DateField(allow_null=True)
    ended = serializers.DateField(allow_null=True)
    institutions = InstitutionBriefSerializer(many=True)


class TopicSerializer(TermDetailSerializer):
    """A topic, region or audience."""

    api_url = ApiUrlField()


class PersonBriefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    given_name_ru = serializers.CharField()
    family_name_ru = serializers.CharField()
    url = PageUrlField()
    api_url = ApiUrlField("api:person-detail")


class AffiliationSerializer(serializers.Serializer):
    institution = InstitutionBriefSerializer()
    role = serializers.CharField()
    role_ru = serializers.CharField()
    department = serializers.CharField()
    department_ru = serializers.CharField()
    is_current = serializers.BooleanField()
    start_year = serializers.IntegerField(allow_null=True)
    end_year = serializers.IntegerField(allow_null=True)


class PersonSerializer(PersonBriefSerializer):
    honorific = serializers.CharField()
    honorific_ru = serializers.CharField()
    position = serializers.CharField()
    position_ru = serializers.CharField()
    short_bio = serializers.CharField()
    short_bio_ru = serializers.CharField()
    orcid = serializers.CharField()
    affiliations = AffiliationSerializer(many=True)


class AuthorSerializer(serializers.Serializer):
    """One name in the byline: its place (1, 2, …), and the position and institution as
    printed there (else the author's current ones)."""

    order = serializers.IntegerField(help_text="1 for the first name in the byline.")
    person = PersonBriefSerializer()
    position = serializers.CharField()
    position_ru = serializers.CharField()
    institution = InstitutionBriefSerializer(allow_null=True)


def authors_data(publication, context):
    rows = [
        {
            "order": number,
            "person": authorship.person,
            "position": authorship.byline_position or authorship.person.position,
            "position_ru": authorship.byline_position_ru or authorship.person.position_ru,
            "institution": authorship.byline_institution,
        }
        for number, authorship in enumerate(publication.authorships.all(), start=1)
    ]
    return AuthorSerializer(rows, many=True, context=context).data


class RatingSerializer(serializers.Serializer):
    count = serializers.IntegerField(source="rating_count")
    average = serializers.FloatField(source="rating_average", allow_null=True)


class PublicationSerializer(serializers.Serializer):
    """A publication as the list shows it."""

    slug = serializers.SlugField()
    url = PageUrlField()
    api_url = ApiUrlField("api:publication-detail")
    kind = serializers.ChoiceField(choices=Publication.Kind.choices)
    language = serializers.CharField()
    title = serializers.CharField()
    subtitle = serializers.CharField()
    summary = serializers.CharField()
    published_at = serializers.DateTimeField()
    authors = serializers.SerializerMethodField()
    project = TermSerializer(allow_null=True)
    project_part = serializers.IntegerField(allow_null=True)
    rating = RatingSerializer(source="*")

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, publication):
        return authors_data(publication, self.context)


class AttachmentSerializer(serializers.Serializer):
    title = serializers.CharField()
    language = serializers.CharField()
    size_bytes = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment: Attachment) -> str:
        return absolute_url(attachment.get_absolute_url())


class BannerSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField(source="banner_width", allow_null=True)
    height = serializers.IntegerField(source="banner_height", allow_null=True)
    alt = serializers.CharField(source="banner_alt")
    caption = serializers.CharField(source="banner_caption")
    credit = serializers.CharField(source="banner_credit")

    def get_url(self, publication) -> str:
        return absolute_url(publication.banner_image.url)


class LanguageVersionSerializer(serializers.Serializer):
    language = serializers.CharField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = PageUrlField()
    api_url = ApiUrlField("api:publication-detail")


class PublicationDetailSerializer(PublicationSerializer):
    """Everything the publication page shows, as data."""

    body = serializers.CharField(help_text="Sanitized HTML.")
    banner = serializers.SerializerMethodField()
    programme = TermSerializer(allow_null=True)
    topics = TermSerializer(many=True)
    regions = TermSerializer(many=True)
    audiences = TermSerializer(many=True)
    institutions = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True)
    language_versions = serializers.SerializerMethodField()
    translation_of = serializers.CharField(
        source="translation_of.slug", allow_null=True, help_text="The original's slug."
    )

    @extend_schema_field(BannerSerializer(allow_null=True))
    def get_banner(self, publication):
        if not publication.banner_image:
            return None
        return BannerSerializer(publication, context=self.context).data

    @extend_schema_field(InstitutionBriefSerializer(many=True))
    def get_institutions(self, publication):
        """The institutions the byline names, each once, in byline order."""
        seen, institutions = set(), []
        for authorship in publication.authorships.all():
            institution = authorship.byline_institution
            if institution is not None and institution.slug not in seen:
                seen.add(institution.slug)
                institutions.append(institution)
        return InstitutionBriefSerializer(institutions, many=True, context=self.context).data

    @extend_schema_field(LanguageVersionSerializer(many=True))
    def get_language_versions(self, publication):
        return LanguageVersionSerializer(
            publication.language_versions(), many=True, context=self.context
        ).data


class ChoiceSerializer(serializers.Serializer):
    text = serializers.CharField()
    text_ru = serializers.CharField()


class ChoiceResultSerializer(serializers.Serializer):
    text = serializers.CharField(source="choice.text")
    text_ru = serializers.CharField(source="choice.text_ru")
    votes = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="Whole percentages that sum to 100.")


class ResultsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    choices = ChoiceResultSerializer(many=True, source="rows")


class PollSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    url = PageUrlField()
    api_url = ApiUrlField("api:poll-detail")
    question = serializers.CharField()
    question_ru = serializers.CharField()
    description = serializers.CharField()
    description_ru = serializers.CharField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField(allow_null=True)
    is_open = serializers.BooleanField()
    choices = ChoiceSerializer(many=True, source="answers")
    results = serializers.SerializerMethodField(
        help_text="Null while the poll's results are not public (as on its page)."
    )

    @extend_schema_field(ResultsSerializer(allow_null=True))
    def get_results(self, poll):
        if not poll.results_public:
            return None
        return ResultsSerializer(poll.results()).data
