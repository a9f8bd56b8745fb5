import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("repository", "0002_immutable_versions"),
    ]

    operations = [
        migrations.CreateModel(
            name="Owner",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(max_length=100, unique=True)),
                ("article", models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE, related_name="compat_owner",
                    to="repository.article")),
            ],
        ),
        migrations.CreateModel(
            name="VersionTag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("tag", models.CharField(max_length=100)),
                ("csv_data", models.TextField(blank=True,
                                              help_text="the CSV as uploaded, if it was")),
                ("codelist", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                    to="repository.codelist")),
                ("version", models.OneToOneField(
                    on_delete=django.db.models.deletion.PROTECT, related_name="compat_tag",
                    to="repository.codelistversion")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("codelist", "tag"),
                                                        name="compat_tag_once_per_codelist")],
            },
        ),
    ]
