"""A first revision for everything the history covers that has none yet (issue 25).

Publications, people, institutions, polls and terms loaded, generated or imported before
these paths recorded a revision have none: an editor's first save would destroy the only
copy of the original. Each gets a revision of its state now, with what it follows (a
publication's authorships and attachments, a person's affiliations, a poll's choices), in
the shape an admin save gives. So does an object whose followed rows include one that no
revision holds (an author added outside the admin).

The shapes are frozen here (fields excluded, relations followed, how each object names
itself, as ``desk.history.register_models`` had them when this was written) and applied
to the historical models; ``desk.first_revisions.record_in_bulk`` writes the rows with
``bulk_create``, a thousand objects per transaction, so the migration runs on 100,000
publications and, stopped half-way, goes on where it stopped when run again.
"""

from django.db import migrations

from dialogue_portal.desk.first_revisions import Shape, record_in_bulk, unrecorded

COMMENT = "As it was when the history began"

PUBLICATION_UNVERSIONED = [
    "rating_count",
    "rating_sum",
    "ranked_average",
    "ranked_count",
    "view_count",
    "download_count",
    "search_vector",
    "banner_renditions",
]


def _name(obj):
    return obj.name


def _person(obj):
    return f"{obj.given_name} {obj.family_name}"


def _institution(obj):
    return obj.short_name or obj.name


def _affiliation(obj):
    parts = [obj.role, obj.department, _institution(obj.institution)]
    return ", ".join(part for part in parts if part)


def shapes(apps):
    def shape(label, *, exclude=(), children=(), name=str, needs=()):
        model = apps.get_model(label)
        opts = model._meta
        fields = tuple(
            field.name
            for field in opts.local_fields + opts.local_many_to_many
            if field.name not in exclude
        )
        return Shape(model, fields, tuple(children), name, tuple(needs))

    authorship = shape(
        "publications.Authorship", name=lambda obj: _person(obj.person), needs=["person"]
    )
    attachment = shape(
        "publications.Attachment", exclude=["download_count"], name=lambda obj: obj.title
    )
    affiliation = shape("people.Affiliation", name=_affiliation, needs=["institution"])
    choice = shape("polls.Choice", exclude=["vote_count"], name=lambda obj: obj.text)
    return [
        shape("people.Institution", name=_institution),
        shape("people.Person", children=[("affiliations", affiliation)], name=_person),
        *(
            shape(f"publications.{term}", name=_name)
            for term in ("Topic", "Region", "Audience", "Programme", "Project")
        ),
        shape(
            "publications.Publication",
            exclude=PUBLICATION_UNVERSIONED,
            children=[("authorships", authorship), ("attachments", attachment)],
            name=lambda obj: obj.title,
        ),
        shape(
            "polls.Poll",
            exclude=["total_votes"],
            children=[("choices", choice)],
            name=lambda obj: obj.question,
        ),
    ]


def record_first_revisions(apps, schema_editor):
    using = schema_editor.connection.alias
    for shape in shapes(apps):
        everything = shape.model._base_manager.using(using).all()
        record_in_bulk(
            shape,
            unrecorded(shape, everything, apps=apps, using=using),
            comment=COMMENT,
            apps=apps,
            using=using,
        )


class Migration(migrations.Migration):
    # Each batch commits on its own: a large site's migration is not one huge transaction.
    atomic = False

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("desk", "0002_reviewers_group"),
        ("people", "0002_person_orcid_check_digit_field_names"),
        ("polls", "0002_vote_field_names"),
        ("publications", "0013_daily_count_hot_updates"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [
        migrations.RunPython(record_first_revisions, migrations.RunPython.noop, elidable=True),
    ]
