"""The demo's pages: About, Support our research, Contact and an introduction for each
audience, in English and Russian (the Russian one a translation of the English). The
portal, its address and telephone are invented; example.org is reserved for examples.

Each entry: ``role``, ``slug``, ``audience`` (introductions), and per language ``title``,
``summary`` and ``body`` (HTML, sanitized on save), plus the support and contact fields.
"""

PAGES = [
    {
        "role": "about",
        "slug": "about",
        "en": {
            "title": "About the portal",
            "summary": "Dialogue Portal publishes the research of think tanks that bring experts from countries at odds to the same table.",
            "body": "<p>The portal began with the UK–Russia Security Dialogue, in which RUSI in London and the Russian International Affairs Council in Moscow met round after round to find where the two countries could still work together on security. Its reports, and the work of the institutions that joined later, are published here in English and Russian.</p>"
            "<h2>What you will find</h2>"
            "<ul><li>Reports, conference reports, briefings and commentary on arms control, cyber security, the Arctic, sanctions, terrorism and the Middle East.</li>"
            "<li>The experts who wrote them, with their institutions.</li>"
            "<li>Polls in which readers say what they think.</li></ul>"
            "<h2>How we work</h2>"
            "<p>Every publication is the work of its authors, who speak for themselves and not for the portal. Workshops are held under the Chatham House Rule; what is published is agreed by all who took part.</p>",
        },
        "ru": {
            "title": "О портале",
            "summary": "Dialogue Portal публикует исследования аналитических центров, которые собирают за одним столом экспертов из стран, находящихся в разногласиях.",
            "body": "<p>Портал вырос из российско-британского диалога по безопасности: RUSI в Лондоне и Российский совет по международным делам в Москве раунд за раундом искали области, в которых две страны всё ещё могут сотрудничать. Здесь на английском и русском языках публикуются доклады диалога и работы институтов, присоединившихся позже.</p>"
            "<h2>Что вы здесь найдёте</h2>"
            "<ul><li>Доклады, отчёты о конференциях, аналитические записки и комментарии о контроле над вооружениями, кибербезопасности, Арктике, санкциях, терроризме и Ближнем Востоке.</li>"
            "<li>Экспертов, которые их написали, и их институты.</li>"
            "<li>Опросы, в которых читатели высказывают своё мнение.</li></ul>"
            "<h2>Как мы работаем</h2>"
            "<p>Каждая публикация — работа её авторов, которые говорят от своего имени, а не от имени портала. Семинары проходят по правилу Chatham House; публикуется то, что согласовали все участники.</p>",
        },
    },
    {
        "role": "support",
        "slug": "support",
        "donation_url": "https://example.org/donate",
        "en": {
            "title": "Support our research",
            "summary": "Independent research on difficult relationships depends on readers and foundations who value it.",
            "donation_label": "Give to the research fund",
            "body": "<p>Our workshops bring people together who rarely meet: officials out of office, scientists, coast guards, bankers and scholars from countries whose governments barely speak. Each round costs travel, translation and the time of the researchers who write up what was said.</p>"
            "<p>Your gift keeps the work independent and free to read, in both languages. We accept no money from governments for research on their own policies, and we publish the names of every institutional donor each year.</p>"
            "<p>Payments are taken by our bank's donation page, not on this site. For a gift from a foundation or company, write to us through the contact page.</p>",
        },
        "ru": {
            "title": "Поддержите наши исследования",
            "summary": "Независимые исследования трудных отношений возможны благодаря читателям и фондам, которые их ценят.",
            "donation_label": "Поддержать исследовательский фонд",
            "body": "<p>Наши семинары собирают людей, которые редко встречаются: бывших чиновников, учёных, сотрудников береговой охраны, банкиров и исследователей из стран, правительства которых почти не разговаривают друг с другом. Каждый раунд — это поездки, перевод и время исследователей, которые записывают сказанное.</p>"
            "<p>Ваш вклад сохраняет нашу работу независимой и бесплатной для читателей на обоих языках. Мы не принимаем денег от правительств на исследования их собственной политики и ежегодно публикуем имена всех институциональных жертвователей.</p>"
            "<p>Платежи принимает страница пожертвований нашего банка, а не этот сайт. О поддержке от фонда или компании напишите нам через страницу контактов.</p>",
        },
    },
    {
        "role": "contact",
        "slug": "contact",
        "contact_email": "editors@example.org",
        "contact_phone": "+44 20 7946 0321",
        "en": {
            "title": "Contact",
            "summary": "Write to the editors about publications, corrections, events or press enquiries.",
            "address": "Dialogue Portal editors\n12 Example Row\nLondon SE1 0XX\nUnited Kingdom",
            "body": "<p>We read every message and answer within a week. For a correction, name the publication and the passage; corrections are noted at the end of the text.</p>"
            "<p>Journalists may ask for an interview with an author; we pass requests on and the author decides.</p>",
        },
        "ru": {
            "title": "Контакты",
            "summary": "Пишите редакции о публикациях, исправлениях, мероприятиях и по вопросам прессы.",
            "address": "Редакция Dialogue Portal\n12 Example Row\nLondon SE1 0XX\nВеликобритания",
            "body": "<p>Мы читаем каждое письмо и отвечаем в течение недели. Чтобы сообщить об ошибке, укажите публикацию и место в тексте; исправления отмечаются в конце публикации.</p>"
            "<p>Журналисты могут попросить об интервью с автором: мы передаём просьбу, а решение принимает автор.</p>",
        },
    },
    {
        "role": "audience",
        "slug": "for-business",
        "audience": "business",
        "en": {
            "title": "For business",
            "summary": "Sanctions, shipping, cyber risk and the politics behind them, written for people who have to make decisions on Monday.",
            "body": "<p>Companies meet international security where it touches their operations: a sanctions list that changes overnight, a shipping route that closes, a ransomware attack on a supplier. Our briefings explain the rules and the reasons behind them in a few pages.</p>"
            "<h2>Where to start</h2>"
            "<ul><li>The Sanctions Monitor, each year's reading of what sanctions do and how they are evaded.</li>"
            "<li>Briefings on maritime security, from the Red Sea to undersea cables.</li>"
            "<li>Commentary on cyber threats that cross from crime into security.</li></ul>",
        },
        "ru": {
            "title": "Бизнесу",
            "summary": "Санкции, судоходство, киберриски и политика за ними — для тех, кому решения нужно принимать уже в понедельник.",
            "body": "<p>Компании сталкиваются с международной безопасностью там, где она касается их работы: санкционный список меняется за ночь, судоходный маршрут закрывается, поставщик становится жертвой вымогателей. Наши аналитические записки на нескольких страницах объясняют правила и их причины.</p>"
            "<h2>С чего начать</h2>"
            "<ul><li>«Мониторинг санкций» — ежегодный обзор того, как действуют санкции и как их обходят.</li>"
            "<li>Записки о морской безопасности — от Красного моря до подводных кабелей.</li>"
            "<li>Комментарии о киберугрозах на границе преступности и безопасности.</li></ul>",
        },
    },
    {
        "role": "audience",
        "slug": "for-researchers",
        "audience": "researchers",
        "en": {
            "title": "For researchers",
            "summary": "Full reports with their sources, series that follow one question over years, and authors you can write to.",
            "body": "<p>Every report comes with its PDF, a formatted citation and BibTeX and RIS files. Series such as the Arctic Security Roundtables and Rules of the Road in Cyberspace follow the same question from one round to the next, so change over time can be traced.</p>"
            "<p>Author pages list each expert's institutions past and present and everything they have published here. Many publications exist in English and Russian; both versions are linked.</p>",
        },
        "ru": {
            "title": "Исследователям",
            "summary": "Полные доклады с источниками, серии, которые годами следят за одним вопросом, и авторы, которым можно написать.",
            "body": "<p>К каждому докладу приложены PDF, готовая ссылка и файлы BibTeX и RIS. Серии, такие как «Круглые столы по безопасности в Арктике» и «Правила поведения в киберпространстве», от раунда к раунду возвращаются к одному вопросу, и изменения можно проследить во времени.</p>"
            "<p>На страницах авторов указаны их прежние и нынешние институты и всё, что они опубликовали здесь. Многие публикации вышли на английском и русском языках; обе версии связаны ссылками.</p>",
        },
    },
    {
        "role": "audience",
        "slug": "for-students",
        "audience": "students",
        "en": {
            "title": "For students",
            "summary": "Short pieces to begin with, interviews with the people who do the work, and polls to test your own view.",
            "body": "<p>If a subject is new to you, begin with a commentary or an interview: they take ten minutes to read and name the questions that the longer reports answer. The topic pages gather everything on one subject, newest first.</p>"
            "<p>Polls ask what readers think about the questions our authors study; vote, then compare your answer with theirs.</p>",
        },
        "ru": {
            "title": "Студентам",
            "summary": "Короткие тексты для начала, интервью с теми, кто делает эту работу, и опросы, чтобы проверить собственное мнение.",
            "body": "<p>Если тема для вас новая, начните с комментария или интервью: их можно прочитать за десять минут, и они называют вопросы, на которые отвечают большие доклады. На страницах тем собрано всё по одному предмету, начиная с новых работ.</p>"
            "<p>В опросах мы спрашиваем читателей о том, что изучают наши авторы: проголосуйте и сравните свой ответ с их выводами.</p>",
        },
    },
]
