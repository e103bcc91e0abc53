"""The top-rated order reads its own copy of the rating (ranked_average, ranked_count),
which flush_counts refreshes, so that a reader's rating changes no indexed column and
PostgreSQL updates the publication's row in place."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Case, F, FloatField, Value, When
from django.db.models.functions import Cast


def copy_totals(apps, schema_editor):
    Publication = apps.get_model("publications", "Publication")
    Publication.objects.filter(rating_count__gt=0).update(
        ranked_count=F("rating_count"),
        ranked_average=Case(
            When(rating_count=0, then=Value(0.0)),
            default=Cast(F("rating_sum"), FloatField()) / Cast(F("rating_count"), FloatField()),
            output_field=FloatField(),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0010_search_rum_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="RankingDue",
            fields=[
                (
                    "publication",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="publications.publication",
                    ),
                ),
            ],
            options={
                "verbose_name": "ranking due",
                "verbose_name_plural": "rankings due",
            },
        ),
        migrations.RemoveIndex(
            model_name="publication",
            name="pub_top_rated",
        ),
        migrations.AddField(
            model_name="publication",
            name="ranked_average",
            field=models.FloatField(
                default=0.0, editable=False, verbose_name="average rating, ranked"
            ),
        ),
        migrations.AddField(
            model_name="publication",
            name="ranked_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="ratings, ranked"
            ),
        ),
        migrations.RunPython(copy_totals, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                models.OrderBy(models.F("ranked_average"), descending=True),
                models.OrderBy(models.F("ranked_count"), descending=True),
                models.OrderBy(models.F("published_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status", "published")),
                name="pub_ranked",
            ),
        ),
    ]
