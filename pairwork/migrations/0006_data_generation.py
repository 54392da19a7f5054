"""The data's generation (pairwork.data_generation): a sequence, so advancing it takes no lock."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("pairwork", "0005_team_travel_buffer"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS data_generation",
            "DROP SEQUENCE IF EXISTS data_generation",
        ),
    ]
