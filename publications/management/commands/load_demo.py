"""Demo content built from the facts of the two pages the portal is modelled on:
a RIAC report and a RUSI conference report from the UK–Russia security dialogue.
Summaries and bios are our own words. Running it twice leaves the same rows."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, Sum

from people.models import Affiliation, Institution, Person
from polls.models import Choice, Poll, Vote
from publications.demo_files import banner_png, simple_pdf
from publications.models import (
    Attachment,
    Audience,
    Authorship,
    Programme,
    Project,
    Publication,
    Rating,
    Region,
    Topic,
)
from publications.renditions import refresh_banner_renditions
from publications.search import refresh_search_vector

DEMO_USERS = [
    # username, password, superuser
    ("admin", "dialogue-admin", True),
    ("editor", "dialogue-editor", False),
]

UTC = dt.UTC


def at(year, month, day):
    return dt.datetime(year, month, day, 9, 0, tzinfo=UTC)


class Command(BaseCommand):
    help = "Load the demo content (idempotent): institutions, people, two publications, a poll."

    def handle(self, *args, **options):
        with transaction.atomic():
            self.load()
        for publication in Publication.objects.all():
            refresh_search_vector(publication)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
        for username, password, _superuser in DEMO_USERS:
            self.stdout.write(f"  login: {username} / {password}")

    def load(self):
        rusi = self.upsert(
            Institution,
            "rusi",
            name="Royal United Services Institute",
            name_ru="Королевский объединённый институт оборонных исследований",
            short_name="RUSI",
            short_name_ru="RUSI",
            city="London",
            city_ru="Лондон",
            website="https://rusi.org",
            description="A London defence and security think tank, founded in 1831.",
            description_ru="Лондонский аналитический центр по вопросам обороны и безопасности, основан в 1831 году.",
        )
        riac = self.upsert(
            Institution,
            "riac",
            name="Russian International Affairs Council",
            name_ru="Российский совет по международным делам",
            short_name="RIAC",
            short_name_ru="РСМД",
            city="Moscow",
            city_ru="Москва",
            website="https://russiancouncil.ru",
            description="A Moscow-based non-profit think tank on international relations.",
            description_ru="Московский некоммерческий аналитический центр по международным отношениям.",
        )

        iss = self.upsert(
            Programme,
            "international-security-studies",
            name="International Security Studies",
            name_ru="Исследования международной безопасности",
            institution=rusi,
        )
        dialogue = self.upsert(
            Project,
            "uk-russia-security-dialogue",
            name="UK–Russia Security Dialogue",
            name_ru="Российско-британский диалог по безопасности",
            description="A Track 1.5 and Track II dialogue in which RUSI and RIAC brought "
            "British and Russian experts together, round after round, to find "
            "where the two countries can still work together on security.",
            description_ru="Диалог в форматах «трек 1,5» и «второй трек»: RUSI и РСМД раунд за "
            "раундом собирали британских и российских экспертов, чтобы найти области, "
            "в которых две страны всё ещё могут сотрудничать в сфере безопасности.",
            started=dt.date(2016, 1, 1),
        )
        dialogue.institutions.set([rusi, riac])

        topics = {
            slug: self.upsert(Topic, slug, name=name, name_ru=name_ru)
            for slug, name, name_ru in [
                (
                    "global-strategy-and-commitments",
                    "Global Strategy and Commitments",
                    "Глобальная стратегия и обязательства",
                ),
                ("arms-control", "Arms Control", "Контроль над вооружениями"),
                (
                    "terrorism-and-organised-crime",
                    "Terrorism and Organised Crime",
                    "Терроризм и организованная преступность",
                ),
                ("cyber-security", "Cyber Security", "Кибербезопасность"),
            ]
        }
        regions = {
            slug: self.upsert(Region, slug, name=name, name_ru=name_ru)
            for slug, name, name_ru in [
                ("russia", "Russia", "Россия"),
                ("uk", "UK", "Великобритания"),
                ("middle-east", "Middle East", "Ближний Восток"),
            ]
        }
        audiences = {
            slug: self.upsert(Audience, slug, name=name, name_ru=name_ru)
            for slug, name, name_ru in [
                # Russian audience names in the dative, as Russian sites name such sections
                # ("Студентам"); the footer shows them alone rather than "For students".
                ("business", "Business", "Бизнесу"),
                ("researchers", "Researchers", "Исследователям"),
                ("students", "Students", "Студентам"),
            ]
        }

        ferris = self.person(
            "emily-ferris",
            "Emily",
            "Ferris",
            "Эмили",
            "Феррис",
            position="Research Fellow, International Security Studies",
            position_ru="Научный сотрудник департамента исследований международной безопасности",
            short_bio="Works on the foreign policy of Russia and Eurasia at RUSI.",
            short_bio_ru="Занимается внешней политикой России и Евразии в RUSI.",
            affiliations=[
                (
                    rusi,
                    "Research Fellow",
                    "International Security Studies",
                    "Научный сотрудник",
                    "Департамент исследований международной безопасности",
                )
            ],
        )
        kortunov = self.person(
            "andrey-kortunov",
            "Andrey",
            "Kortunov",
            "Андрей",
            "Кортунов",
            honorific="Ph.D. in History",
            honorific_ru="Кандидат исторических наук",
            position="Director General, RIAC",
            position_ru="Генеральный директор РСМД",
            short_bio="Leads the Russian International Affairs Council and writes on "
            "Russia's relations with the West.",
            short_bio_ru="Руководит Российским советом по международным делам, пишет об "
            "отношениях России и Запада.",
            affiliations=[(riac, "Director General", "", "Генеральный директор", "")],
        )
        chalmers = self.person(
            "malcolm-chalmers",
            "Malcolm",
            "Chalmers",
            "Малколм",
            "Чалмерс",
            position="Deputy Director-General",
            position_ru="Заместитель генерального директора",
            short_bio="Deputy Director-General of RUSI; directs its research on UK "
            "defence, foreign and security policy.",
            short_bio_ru="Заместитель генерального директора RUSI, руководит исследованиями "
            "оборонной и внешней политики Великобритании и её политики безопасности.",
            affiliations=[
                (rusi, "Deputy Director-General", "", "Заместитель генерального директора", "")
            ],
        )
        lain = self.person(
            "sarah-lain",
            "Sarah",
            "Lain",
            "Сара",
            "Лейн",
            position="Associate Fellow",
            position_ru="Ассоциированный научный сотрудник",
            short_bio="Associate Fellow at RUSI with a background in political-risk "
            "consulting on Russia and the post-Soviet states.",
            short_bio_ru="Ассоциированный научный сотрудник RUSI; прежде консультировала "
            "компании по политическим рискам в России и на постсоветском пространстве.",
            affiliations=[(rusi, "Associate Fellow", "", "Ассоциированный научный сотрудник", "")],
        )
        smekalova = self.person(
            "maria-smekalova",
            "Maria",
            "Smekalova",
            "Мария",
            "Смекалова",
            position="Coordinator of Cybersecurity Programmes",
            position_ru="Координатор программ по кибербезопасности",
            short_bio="Coordinates RIAC's programmes on cyber security.",
            short_bio_ru="Координирует программы РСМД по кибербезопасности.",
            affiliations=[
                (
                    riac,
                    "Coordinator of Cybersecurity Programmes",
                    "",
                    "Координатор программ по кибербезопасности",
                    "",
                )
            ],
        )

        part2 = self.publication(
            "defining-dialogue-part-2",
            kind=Publication.Kind.CONFERENCE_REPORT,
            title="Defining Dialogue: How to Manage Russia–UK Security Relations – Part 2",
            language="en",
            published_at=at(2018, 3, 27),
            summary="Even with mistrust running high between London and Moscow, security relations "
            "between the two can still be managed, and the experts who met in this dialogue "
            "set out how. Policymakers in both capitals should read it.",
            body="<p>This conference report draws on the second round of a non-governmental (Track II) "
            "dialogue between RUSI and the Moscow-based Russian International Affairs Council. "
            "Between April and December 2017 it brought together experts and former officials "
            "from both countries to discuss how the bilateral security relationship could be "
            "handled better.</p>"
            "<p>The dialogue began when relations seemed to be improving a little. In March 2018 "
            "they worsened sharply after the nerve-agent attack in Salisbury, which the UK "
            "attributed to Moscow, and both governments took measures against each other.</p>"
            "<p>The discussions ended before those events and do not reflect them. The authors "
            "argue that the case for expert dialogue is stronger, not weaker, when official "
            "channels narrow.</p>",
            banner_alt="A Russian Bear bomber flying alongside an RAF Typhoon fighter over the sea",
            banner_caption="A Russian Air Force Bear bomber is escorted by a Royal Air Force Typhoon "
            "during an interception north of Scotland.",
            banner_credit="Courtesy of the Royal Air Force",
            project=dialogue,
            project_part=2,
            programme=iss,
            featured=True,
            topics=[topics["global-strategy-and-commitments"]],
            regions=[regions["russia"], regions["uk"]],
            audiences=[audiences["researchers"], audiences["business"]],
            authors=[
                (
                    chalmers,
                    "Deputy Director-General of RUSI",
                    "Заместитель генерального директора RUSI",
                    rusi,
                ),
                (kortunov, "Director General of RIAC", "Генеральный директор РСМД", riac),
                (lain, "Associate Fellow at RUSI", "Ассоциированный научный сотрудник RUSI", rusi),
                (
                    smekalova,
                    "Coordinator of Cybersecurity Programmes at RIAC",
                    "Координатор программ по кибербезопасности РСМД",
                    riac,
                ),
            ],
            banner_seed=2,
            pdf=("Defining Dialogue: How to Manage Russia-UK Security Relations - Part 2", "en"),
        )
        part2_ru = self.publication(
            "defining-dialogue-part-2-ru",
            kind=Publication.Kind.CONFERENCE_REPORT,
            title="Определяя диалог: как управлять отношениями России и Великобритании в сфере "
            "безопасности. Часть 2",
            language="ru",
            translation_of=part2,
            published_at=at(2018, 3, 27),
            summary="Несмотря на глубокое недоверие между Лондоном и Москвой, отношениями двух стран "
            "в сфере безопасности всё ещё можно управлять. Участники диалога предлагают, как "
            "это делать, — и к их выводам стоит прислушаться политикам обеих стран.",
            body="<p>Доклад подготовлен по итогам второго раунда неправительственного диалога "
            "(«второй трек») RUSI и Российского совета по международным делам. С апреля по "
            "декабрь 2017 года эксперты и бывшие официальные лица двух стран обсуждали, как "
            "лучше выстраивать двусторонние отношения в сфере безопасности.</p>"
            "<p>Диалог начинался, когда отношения, казалось, понемногу улучшались. В марте "
            "2018 года после отравления в Солсбери, которое Лондон возложил на Москву, они "
            "резко ухудшились, и правительства двух стран приняли меры друг против друга.</p>"
            "<p>Обсуждения завершились до этих событий и их не учитывают. Авторы доказывают, "
            "что когда официальные каналы сужаются, экспертный диалог нужнее, а не наоборот.</p>",
            project=dialogue,
            project_part=2,
            programme=iss,
            topics=[topics["global-strategy-and-commitments"]],
            regions=[regions["russia"], regions["uk"]],
            audiences=[audiences["researchers"]],
            authors=[
                (chalmers, "", "Заместитель генерального директора RUSI", rusi),
                (kortunov, "", "Генеральный директор РСМД", riac),
                (lain, "", "Ассоциированный научный сотрудник RUSI", rusi),
                (smekalova, "", "Координатор программ по кибербезопасности РСМД", riac),
            ],
            pdf=(
                "Определяя диалог. Часть 2 (полный текст)",
                "ru",
                "Defining Dialogue - Part 2 (Russian version)",
            ),
        )
        part3 = self.publication(
            "uk-russia-security-relations-talking-to-not-past-each-other",
            kind=Publication.Kind.REPORT,
            title="UK–Russia Security Relations: Talking To, Not Past Each Other",
            language="en",
            published_at=at(2019, 7, 8),
            summary="The third round of the UK–Russia Track 1.5 security dialogue held by RUSI and "
            "RIAC. Four workshops took on the INF Treaty, organised crime and terrorism, the "
            "Middle East and cyber security, and found room for practical agreement despite "
            "sharp differences.",
            body="<p>The first year of the project mapped the security questions on which the UK and "
            "Russia might cooperate; the second narrowed them to the most promising three. This "
            "third round used that groundwork for four workshops on pressing issues: the "
            "Intermediate-Range Nuclear Forces Treaty, organised crime and terrorism, the Middle "
            "East, and cyber security.</p>"
            "<p>The roundtables exposed disagreements, but also many points on which British and "
            "Russian participants could agree in practice. The report's recommendations point to "
            "existing formats through which the two countries can engage and to new kinds of "
            "information exchange that policymakers may find useful.</p>"
            "<p>However strained the political relationship, an open channel for frank exchange "
            "keeps its value.</p>",
            project=dialogue,
            project_part=3,
            programme=iss,
            topics=[
                topics["arms-control"],
                topics["terrorism-and-organised-crime"],
                topics["cyber-security"],
                topics["global-strategy-and-commitments"],
            ],
            regions=[regions["russia"], regions["uk"], regions["middle-east"]],
            audiences=[audiences["researchers"], audiences["students"]],
            authors=[
                (
                    ferris,
                    "Research Fellow in the International Security Studies department at "
                    "RUSI, specialising in Russia and Eurasia's foreign policy",
                    "Научный сотрудник департамента исследований международной безопасности "
                    "RUSI, специалист по внешней политике России и стран Евразии",
                    rusi,
                ),
                (
                    kortunov,
                    "Academic Director of the Russian International Affairs Council, RIAC Member",
                    "Научный руководитель РСМД, член РСМД",
                    riac,
                ),
            ],
            banner_seed=3,
            pdf=("UK-Russia Security Relations: Talking To, Not Past Each Other", "en"),
        )

        # “Rate this article (votes: 11, rating: 5)”: eleven readers, five stars each.
        for number in range(1, 12):
            Rating.objects.update_or_create(
                publication=part3, reader=f"demo:{number}", defaults={"stars": 5}
            )
        totals = part3.ratings.aggregate(count=Count("pk"), total=Sum("stars"))
        Publication.objects.filter(pk=part3.pk).update(
            rating_count=totals["count"], rating_sum=totals["total"] or 0
        )

        poll = self.upsert(
            Poll,
            "us-long-term-goals-for-russia",
            question="In your opinion, what are the US long-term goals for Russia?",
            question_ru="Каковы, на ваш взгляд, долгосрочные цели США в отношении России?",
            opens_at=at(2019, 7, 1),
            placement=Poll.Placement.EVERYWHERE,
            results_visibility=Poll.ResultsVisibility.ALWAYS,
        )
        poll.publications.set([part3])
        answers = [
            (
                "U.S. wants to establish partnership relations with Russia on condition that it meets "
                "the U.S. requirements",
                "США хотят партнёрства с Россией при условии, что она выполнит их требования",
                33,
            ),
            (
                "U.S. wants to deter Russia’s military and political activity",
                "США хотят сдерживать военную и политическую активность России",
                30,
            ),
            ("U.S. wants to dissolve Russia", "США хотят распада России", 24),
            (
                "U.S. wants to establish alliance relations with Russia under the US conditions to "
                "rival China",
                "США хотят союза с Россией на своих условиях, чтобы противостоять Китаю",
                21,
            ),
        ]
        voter = 0
        for order, (text, text_ru, votes) in enumerate(answers, start=1):
            choice, _ = Choice.objects.update_or_create(
                poll=poll, order=order, defaults={"text": text, "text_ru": text_ru}
            )
            for _index in range(votes):
                voter += 1
                Vote.objects.update_or_create(
                    poll=poll, reader=f"demo:{voter}", defaults={"choice": choice}
                )
        for choice in poll.choices.annotate(n=Count("votes")):
            Choice.objects.filter(pk=choice.pk).update(vote_count=choice.n)
        Poll.objects.filter(pk=poll.pk).update(total_votes=poll.votes.count())

        editors = Group.objects.get(name="Editors")
        User = get_user_model()
        for username, password, superuser in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "is_staff": True,
                    "is_superuser": superuser,
                    "email": f"{username}@example.org",
                },
            )
            if created:
                user.set_password(password)
                user.save()
            if not superuser:
                user.groups.add(editors)
        return part2, part2_ru, part3

    # --- helpers -------------------------------------------------------------------

    def upsert(self, model, slug, **fields):
        obj, _ = model.objects.update_or_create(slug=slug, defaults=fields)
        return obj

    def person(self, slug, given, family, given_ru, family_ru, *, affiliations, **fields):
        person = self.upsert(
            Person,
            slug,
            given_name=given,
            family_name=family,
            given_name_ru=given_ru,
            family_name_ru=family_ru,
            **fields,
        )
        for order, (institution, role, department, role_ru, department_ru) in enumerate(
            affiliations
        ):
            Affiliation.objects.update_or_create(
                person=person,
                institution=institution,
                defaults={
                    "role": role,
                    "role_ru": role_ru,
                    "department": department,
                    "department_ru": department_ru,
                    "is_current": True,
                    "order": order,
                },
            )
        return person

    def publication(
        self, slug, *, topics, regions, audiences, authors, pdf, banner_seed=None, **fields
    ):
        fields.setdefault("status", Publication.Status.PUBLISHED)
        publication = self.upsert(Publication, slug, **fields)
        publication.topics.set(topics)
        publication.regions.set(regions)
        publication.audiences.set(audiences)
        for order, (person, position, position_ru, institution) in enumerate(authors, start=1):
            Authorship.objects.update_or_create(
                publication=publication,
                person=person,
                defaults={
                    "order": order,
                    "byline_position": position,
                    "byline_position_ru": position_ru,
                    "institution": institution,
                },
            )
        if banner_seed is not None and not publication.banner_image:
            publication.banner_image.save(
                f"{slug}.png", ContentFile(banner_png(seed=banner_seed)), save=True
            )
        refresh_banner_renditions(publication)
        # The demo PDF writes Latin-1 only: a Russian title gets a Latin one inside the file.
        title, language, *file_title = pdf
        if not publication.attachments.exists():
            lines = [
                publication.get_kind_display(),
                "",
                *[a.person.name for a in publication.authorships.select_related("person")],
                "",
                "Demo file generated by Dialogue Portal.",
            ]
            attachment = Attachment(publication=publication, title=title, language=language)
            pdf_bytes = simple_pdf(file_title[0] if file_title else title, lines)
            attachment.file.save(f"{slug}.pdf", ContentFile(pdf_bytes), save=False)
            attachment.save()
        return publication
