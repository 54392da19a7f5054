"""Take over the access-log model from the clients app without touching its table.

State only: the table `clients_accesslog` keeps its name, rows, indexes and
the append-only trigger of clients/0002. The content type moves too, so the
roles' permission to view the log (and admin history) follow the model.
"""
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="access", model="accesslog").exists():
        ContentType.objects.filter(app_label="clients", model="accesslog").update(app_label="access")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="clients", model="accesslog").exists():
        ContentType.objects.filter(app_label="access", model="accesslog").update(app_label="clients")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("clients", "0003_accesslog_moves_to_access_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AccessLog",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="time")),
                        ("username", models.CharField(blank=True, max_length=150, verbose_name="username")),
                        ("object_type", models.CharField(max_length=60, verbose_name="object type")),
                        ("object_id", models.CharField(blank=True, max_length=40, verbose_name="object id")),
                        ("action", models.CharField(max_length=10, verbose_name="action")),
                        ("grounds", models.CharField(max_length=60, verbose_name="grounds")),
                        ("allowed", models.BooleanField(verbose_name="allowed")),
                        ("channel", models.CharField(default="web", max_length=10, verbose_name="channel")),
                        ("user", models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="user")),
                        ("client", models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="clients.client", verbose_name="client")),
                    ],
                    options={
                        "verbose_name": "access log entry",
                        "verbose_name_plural": "access log",
                        "ordering": ["-at", "-id"],
                        "db_table": "clients_accesslog",
                        "indexes": [models.Index(fields=["client", "-at"], name="clients_acc_client__36c04d_idx")],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
