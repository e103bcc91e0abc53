"""The demo's words: institutions, terms, people and polls (publications are in
``content_publications``).

Two pages are the seeds: a RIAC report and a RUSI conference report from the UK–Russia
security dialogue. Their facts (titles, names, positions, dates, tags, the poll and its
figures) are kept; their summaries and bios are written in our own words. Everything else
here is invented for the demo: the Skagerrak Institute, the Lakeside Centre and the Vienna
Forum, their people, and what they write, are fictional.
"""

import datetime as dt

INSTITUTIONS = [
    {
        "slug": "rusi",
        "name": "Royal United Services Institute",
        "name_ru": "Королевский объединённый институт оборонных исследований",
        "short_name": "RUSI",
        "short_name_ru": "RUSI",
        "city": "London",
        "city_ru": "Лондон",
        "website": "https://rusi.org",
        "description": "A London defence and security think tank, founded in 1831.",
        "description_ru": "Лондонский аналитический центр по вопросам обороны и безопасности, основан в 1831 году.",
    },
    {
        "slug": "riac",
        "name": "Russian International Affairs Council",
        "name_ru": "Российский совет по международным делам",
        "short_name": "RIAC",
        "short_name_ru": "РСМД",
        "city": "Moscow",
        "city_ru": "Москва",
        "website": "https://russiancouncil.ru",
        "description": "A Moscow-based non-profit think tank on international relations.",
        "description_ru": "Московский некоммерческий аналитический центр по международным отношениям.",
    },
    {
        "slug": "skagerrak-institute",
        "name": "Skagerrak Institute for Security Studies",
        "name_ru": "Институт исследований безопасности «Скагеррак»",
        "short_name": "SISS",
        "short_name_ru": "ИИБС",
        "city": "Oslo",
        "city_ru": "Осло",
        "website": "",
        "description": "A fictional Oslo institute for the demo: Arctic, maritime and Northern European security.",
        "description_ru": "Вымышленный институт в Осло для демонстрации: безопасность Арктики, морская безопасность, Северная Европа.",
    },
    {
        "slug": "lakeside-centre",
        "name": "Lakeside Centre for Arms Control",
        "name_ru": "Центр контроля над вооружениями «Лейксайд»",
        "short_name": "LCAC",
        "short_name_ru": "ЦКВЛ",
        "city": "Geneva",
        "city_ru": "Женева",
        "website": "",
        "description": "A fictional Geneva centre for the demo: arms control, verification and rules for cyberspace.",
        "description_ru": "Вымышленный женевский центр для демонстрации: контроль над вооружениями, верификация, правила поведения в киберпространстве.",
    },
    {
        "slug": "vienna-forum",
        "name": "Vienna Forum for Eurasian Security",
        "name_ru": "Венский форум евразийской безопасности",
        "short_name": "VFES",
        "short_name_ru": "ВФЕБ",
        "city": "Vienna",
        "city_ru": "Вена",
        "website": "",
        "description": "A fictional Vienna forum for the demo: sanctions, terrorism and the Middle East.",
        "description_ru": "Вымышленный венский форум для демонстрации: санкции, терроризм и Ближний Восток.",
    },
]

PROGRAMMES = [
    # slug, name, name_ru, institution slug
    (
        "international-security-studies",
        "International Security Studies",
        "Исследования международной безопасности",
        "rusi",
    ),
    (
        "high-north-programme",
        "High North Programme",
        "Программа «Крайний Север»",
        "skagerrak-institute",
    ),
    (
        "arms-control-and-emerging-technology",
        "Arms Control and Emerging Technology",
        "Контроль над вооружениями и новые технологии",
        "lakeside-centre",
    ),
    ("economic-security", "Economic Security", "Экономическая безопасность", "vienna-forum"),
]

PROJECTS = [
    {
        "slug": "uk-russia-security-dialogue",
        "name": "UK–Russia Security Dialogue",
        "name_ru": "Российско-британский диалог по безопасности",
        "description": "A Track 1.5 and Track II dialogue in which RUSI and RIAC brought British and Russian experts together, round after round, to find where the two countries can still work together on security.",
        "description_ru": "Диалог в форматах «трек 1,5» и «второй трек»: RUSI и РСМД раунд за раундом собирали британских и российских экспертов, чтобы найти области, в которых две страны всё ещё могут сотрудничать в сфере безопасности.",
        "started": dt.date(2016, 1, 1),
        "institutions": ["rusi", "riac"],
    },
    {
        "slug": "arctic-security-roundtables",
        "name": "Arctic Security Roundtables",
        "name_ru": "Круглые столы по безопасности в Арктике",
        "description": "Every second year the Skagerrak Institute gathers coast guards, scientists and former officials from the Arctic states to ask how the region can stay an area of low tension.",
        "description_ru": "Раз в два года Институт «Скагеррак» собирает представителей береговой охраны, учёных и бывших чиновников арктических государств, чтобы обсудить, как сохранить регион зоной низкой напряжённости.",
        "started": dt.date(2019, 1, 1),
        "institutions": ["skagerrak-institute"],
    },
    {
        "slug": "rules-of-the-road-in-cyberspace",
        "name": "Rules of the Road in Cyberspace",
        "name_ru": "Правила поведения в киберпространстве",
        "description": "Workshops of the Lakeside Centre on norms of state behaviour online: what governments have agreed, what they practise, and how the gap might close.",
        "description_ru": "Семинары Центра «Лейксайд» о нормах поведения государств в сети: о чём правительства договорились, как поступают на деле и как сократить этот разрыв.",
        "started": dt.date(2018, 1, 1),
        "institutions": ["lakeside-centre"],
    },
    {
        "slug": "sanctions-monitor",
        "name": "Sanctions Monitor",
        "name_ru": "Мониторинг санкций",
        "description": "The Vienna Forum's yearly reading of how sanctions work in practice: what they cost, who evades them, and what changes behaviour.",
        "description_ru": "Ежегодный обзор Венского форума о том, как санкции действуют на практике: во что они обходятся, кто их обходит и что на самом деле меняет поведение.",
        "started": dt.date(2022, 1, 1),
        "institutions": ["vienna-forum"],
    },
]

TOPICS = [
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
    ("arctic-security", "Arctic Security", "Безопасность в Арктике"),
    ("sanctions", "Sanctions", "Санкции"),
    ("nuclear-non-proliferation", "Nuclear Non-Proliferation", "Нераспространение ядерного оружия"),
    ("maritime-security", "Maritime Security", "Морская безопасность"),
]

REGIONS = [
    ("russia", "Russia", "Россия"),
    ("uk", "UK", "Великобритания"),
    ("middle-east", "Middle East", "Ближний Восток"),
    ("arctic", "Arctic", "Арктика"),
    ("europe", "Europe", "Европа"),
    ("united-states", "United States", "США"),
    ("central-asia", "Central Asia", "Центральная Азия"),
]

# Russian audience names in the dative, as Russian sites name such sections ("Студентам");
# the footer shows them alone rather than "For students".
AUDIENCES = [
    ("business", "Business", "Бизнесу"),
    ("researchers", "Researchers", "Исследователям"),
    ("students", "Students", "Студентам"),
]

# Affiliations: (institution, role, department, role_ru, department_ru).
PEOPLE = [
    {
        "slug": "emily-ferris",
        "given_name": "Emily",
        "family_name": "Ferris",
        "given_name_ru": "Эмили",
        "family_name_ru": "Феррис",
        "position": "Research Fellow, International Security Studies",
        "position_ru": "Научный сотрудник департамента исследований международной безопасности",
        "short_bio": "Works on the foreign policy of Russia and Eurasia at RUSI.",
        "short_bio_ru": "Занимается внешней политикой России и Евразии в RUSI.",
        "affiliations": [
            (
                "rusi",
                "Research Fellow",
                "International Security Studies",
                "Научный сотрудник",
                "Департамент исследований международной безопасности",
            ),
        ],
    },
    {
        "slug": "andrey-kortunov",
        "given_name": "Andrey",
        "family_name": "Kortunov",
        "given_name_ru": "Андрей",
        "family_name_ru": "Кортунов",
        "honorific": "Ph.D. in History",
        "honorific_ru": "Кандидат исторических наук",
        "position": "Director General, RIAC",
        "position_ru": "Генеральный директор РСМД",
        "short_bio": "Leads the Russian International Affairs Council and writes on Russia's relations with the West.",
        "short_bio_ru": "Руководит Российским советом по международным делам, пишет об отношениях России и Запада.",
        "affiliations": [("riac", "Director General", "", "Генеральный директор", "")],
    },
    {
        "slug": "malcolm-chalmers",
        "given_name": "Malcolm",
        "family_name": "Chalmers",
        "given_name_ru": "Малколм",
        "family_name_ru": "Чалмерс",
        "position": "Deputy Director-General",
        "position_ru": "Заместитель генерального директора",
        "short_bio": "Deputy Director-General of RUSI; directs its research on UK defence, foreign and security policy.",
        "short_bio_ru": "Заместитель генерального директора RUSI, руководит исследованиями оборонной и внешней политики Великобритании и её политики безопасности.",
        "affiliations": [
            ("rusi", "Deputy Director-General", "", "Заместитель генерального директора", "")
        ],
    },
    {
        "slug": "sarah-lain",
        "given_name": "Sarah",
        "family_name": "Lain",
        "given_name_ru": "Сара",
        "family_name_ru": "Лейн",
        "position": "Associate Fellow",
        "position_ru": "Ассоциированный научный сотрудник",
        "short_bio": "Associate Fellow at RUSI with a background in political-risk consulting on Russia and the post-Soviet states.",
        "short_bio_ru": "Ассоциированный научный сотрудник RUSI; прежде консультировала компании по политическим рискам в России и на постсоветском пространстве.",
        "affiliations": [("rusi", "Associate Fellow", "", "Ассоциированный научный сотрудник", "")],
    },
    {
        "slug": "maria-smekalova",
        "given_name": "Maria",
        "family_name": "Smekalova",
        "given_name_ru": "Мария",
        "family_name_ru": "Смекалова",
        "position": "Coordinator of Cybersecurity Programmes",
        "position_ru": "Координатор программ по кибербезопасности",
        "short_bio": "Coordinates RIAC's programmes on cyber security.",
        "short_bio_ru": "Координирует программы РСМД по кибербезопасности.",
        "affiliations": [
            (
                "riac",
                "Coordinator of Cybersecurity Programmes",
                "",
                "Координатор программ по кибербезопасности",
                "",
            )
        ],
    },
    {
        "slug": "ingrid-halvorsen",
        "given_name": "Ingrid",
        "family_name": "Halvorsen",
        "given_name_ru": "Ингрид",
        "family_name_ru": "Халворсен",
        "position": "Senior Fellow and Head of the High North Programme",
        "position_ru": "Старший научный сотрудник, руководитель программы «Крайний Север»",
        "short_bio": "Studies military activity and search-and-rescue cooperation in the Arctic; a former officer of the Norwegian coast guard.",
        "short_bio_ru": "Изучает военную активность и сотрудничество в поиске и спасании в Арктике; в прошлом офицер норвежской береговой охраны.",
        "affiliations": [
            (
                "skagerrak-institute",
                "Senior Fellow",
                "High North Programme",
                "Старший научный сотрудник",
                "Программа «Крайний Север»",
            )
        ],
    },
    {
        "slug": "tomas-eriksen",
        "given_name": "Tomas",
        "family_name": "Eriksen",
        "given_name_ru": "Томас",
        "family_name_ru": "Эриксен",
        "position": "Research Fellow, Maritime Security",
        "position_ru": "Научный сотрудник по вопросам морской безопасности",
        "short_bio": "Follows shipping, undersea cables and the Northern Sea Route; writes the institute's maritime briefings.",
        "short_bio_ru": "Следит за судоходством, подводными кабелями и Северным морским путём; готовит морские обзоры института.",
        "affiliations": [
            (
                "skagerrak-institute",
                "Research Fellow",
                "High North Programme",
                "Научный сотрудник",
                "Программа «Крайний Север»",
            )
        ],
    },
    {
        "slug": "alexei-voronin",
        "given_name": "Alexei",
        "family_name": "Voronin",
        "given_name_ru": "Алексей",
        "family_name_ru": "Воронин",
        "honorific": "Ph.D. in Geography",
        "honorific_ru": "Кандидат географических наук",
        "position": "Visiting Fellow",
        "position_ru": "Приглашённый научный сотрудник",
        "short_bio": "A geographer of the Russian Arctic who writes on ports, permafrost and the people who live along the Northern Sea Route.",
        "short_bio_ru": "Географ, исследователь российской Арктики: пишет о портах, вечной мерзлоте и жителях побережья Северного морского пути.",
        "affiliations": [
            ("skagerrak-institute", "Visiting Fellow", "", "Приглашённый научный сотрудник", "")
        ],
    },
    {
        "slug": "claire-dubois",
        "given_name": "Claire",
        "family_name": "Dubois",
        "given_name_ru": "Клэр",
        "family_name_ru": "Дюбуа",
        "position": "Director, Lakeside Centre for Arms Control",
        "position_ru": "Директор Центра контроля над вооружениями «Лейксайд»",
        "short_bio": "Spent fifteen years on verification teams before founding the centre; writes on nuclear arms control and how treaties are checked.",
        "short_bio_ru": "Пятнадцать лет работала в группах по верификации, затем основала центр; пишет о ядерном контроле над вооружениями и проверке договоров.",
        "affiliations": [("lakeside-centre", "Director", "", "Директор", "")],
    },
    {
        "slug": "daniel-okafor",
        "given_name": "Daniel",
        "family_name": "Okafor",
        "given_name_ru": "Дэниел",
        "family_name_ru": "Окафор",
        "position": "Research Fellow, Cyber Norms",
        "position_ru": "Научный сотрудник, нормы поведения в киберпространстве",
        "short_bio": "Works on the norms states have agreed for cyberspace and on attributing attacks; trained as a network engineer.",
        "short_bio_ru": "Занимается нормами поведения государств в киберпространстве и атрибуцией атак; по первому образованию сетевой инженер.",
        "affiliations": [
            (
                "lakeside-centre",
                "Research Fellow",
                "Arms Control and Emerging Technology",
                "Научный сотрудник",
                "Контроль над вооружениями и новые технологии",
            )
        ],
    },
    {
        "slug": "nadia-rahimova",
        "given_name": "Nadia",
        "family_name": "Rahimova",
        "given_name_ru": "Надия",
        "family_name_ru": "Рахимова",
        "position": "Senior Analyst, Middle East and Terrorism",
        "position_ru": "Старший аналитик по Ближнему Востоку и терроризму",
        "short_bio": "Analyses armed groups in Syria and Iraq and the return of foreign fighters to Central Asia.",
        "short_bio_ru": "Анализирует вооружённые группировки в Сирии и Ираке и возвращение иностранных боевиков в Центральную Азию.",
        "affiliations": [
            ("vienna-forum", "Senior Analyst", "", "Старший аналитик", ""),
            ("lakeside-centre", "Associate", "", "Ассоциированный эксперт", ""),
        ],
    },
    {
        "slug": "pavel-sorokin",
        "given_name": "Pavel",
        "family_name": "Sorokin",
        "given_name_ru": "Павел",
        "family_name_ru": "Сорокин",
        "position": "Programme Manager, Economic Security",
        "position_ru": "Руководитель программы «Экономическая безопасность»",
        "short_bio": "An economist who tracks sanctions, energy trade and how payments find new routes.",
        "short_bio_ru": "Экономист: следит за санкциями, торговлей энергоносителями и тем, как платежи находят новые пути.",
        "affiliations": [
            (
                "vienna-forum",
                "Programme Manager",
                "Economic Security",
                "Руководитель программы",
                "Экономическая безопасность",
            )
        ],
    },
    {
        "slug": "helen-marsh",
        "given_name": "Helen",
        "family_name": "Marsh",
        "given_name_ru": "Хелен",
        "family_name_ru": "Марш",
        "position": "Associate Fellow, Financial Crime",
        "position_ru": "Ассоциированный научный сотрудник по финансовым преступлениям",
        "short_bio": "A former compliance officer who writes on sanctions enforcement, terrorist financing and shipping registries.",
        "short_bio_ru": "В прошлом специалист по комплаенсу; пишет о соблюдении санкций, финансировании терроризма и судовых реестрах.",
        "affiliations": [
            (
                "vienna-forum",
                "Associate Fellow",
                "Economic Security",
                "Ассоциированный научный сотрудник",
                "Экономическая безопасность",
            )
        ],
    },
]

# The seed poll ("Poll conducted") with its figures, closed; a new one open and featured;
# one scheduled (its dates count from the day the demo is loaded, so it stays scheduled).
# Answers: (text, text_ru, votes).
POLLS = [
    {
        "slug": "us-long-term-goals-for-russia",
        "question": "In your opinion, what are the US long-term goals for Russia?",
        "question_ru": "Каковы, на ваш взгляд, долгосрочные цели США в отношении России?",
        "opens_at": dt.datetime(2019, 7, 1, 9, tzinfo=dt.UTC),
        "closes_at": dt.datetime(2019, 12, 31, 23, tzinfo=dt.UTC),
        "placement": "publications",
        "results_visibility": "always",
        "publications": ["uk-russia-security-relations-talking-to-not-past-each-other"],
        "answers": [
            (
                "U.S. wants to establish partnership relations with Russia on condition that it meets the U.S. requirements",
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
                "U.S. wants to establish alliance relations with Russia under the US conditions to rival China",
                "США хотят союза с Россией на своих условиях, чтобы противостоять Китаю",
                21,
            ),
        ],
    },
    {
        "slug": "where-can-experts-still-talk",
        "question": "Where is expert dialogue between Russia and the West still most useful?",
        "question_ru": "Где диалог экспертов России и Запада всё ещё полезнее всего?",
        "description": "Tell us which subject you think most needs an open channel today.",
        "description_ru": "Скажите, какой теме, по-вашему, сегодня больше всего нужен открытый канал.",
        "opens_at": dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC),
        "closes_at": None,
        "placement": "everywhere",
        "results_visibility": "after-vote",
        "publications": ["after-new-start", "keeping-the-arctic-cool-part-4"],
        "answers": [
            (
                "Nuclear arms control and risk reduction",
                "Ядерный контроль над вооружениями и снижение рисков",
                41,
            ),
            ("Incidents at sea and in the air", "Инциденты на море и в воздухе", 26),
            ("The Arctic", "Арктика", 19),
            ("Counter-terrorism", "Борьба с терроризмом", 14),
        ],
    },
    {
        "slug": "arctic-council-after-2027",
        "question": "Should the Arctic Council take up security questions after 2027?",
        "question_ru": "Должен ли Арктический совет заниматься вопросами безопасности после 2027 года?",
        # Always scheduled: opens this many days after the demo is loaded, for sixty days.
        "opens_in_days": 50,
        "open_for_days": 60,
        "placement": "home",
        "results_visibility": "after-close",
        "publications": [],
        "answers": [
            ("Yes, military security included", "Да, включая военную безопасность", 0),
            (
                "Only search and rescue and the coast guards",
                "Только поиск и спасание и береговая охрана",
                0,
            ),
            (
                "No, it should keep to science and the environment",
                "Нет, ему следует заниматься наукой и экологией",
                0,
            ),
        ],
    },
]

# Headings inside the report PDFs, in the report's language.
PDF_LABELS = {
    "en": {
        "summary": "Summary",
        "section": "Findings, part",
        "figure": "Figure",
        "annex": "Annex, figure",
        "figure_note": "An illustration drawn for the demo, not data.",
        "about": "About the authors",
        "footer": "Demo content of Dialogue Portal: the text is the publication's own, the figures are drawn by code.",
    },
    "ru": {
        "summary": "Краткое содержание",
        "section": "Выводы, часть",
        "figure": "Рисунок",
        "annex": "Приложение, рисунок",
        "figure_note": "Иллюстрация нарисована для демонстрации и не содержит данных.",
        "about": "Об авторах",
        "footer": "Демонстрационные материалы Dialogue Portal: текст взят из публикации, рисунки созданы программой.",
    },
}

DEMO_USERS = [
    # username, password, superuser
    ("admin", "dialogue-admin", True),
    ("editor", "dialogue-editor", False),
]
