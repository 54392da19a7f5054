"""The data's generation for the page cache (access.page_cache): a sequence, so advancing it takes no lock."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("access", "0005_grounds_not_the_author"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS access_page_generation",
            "DROP SEQUENCE IF EXISTS access_page_generation",
        ),
    ]
