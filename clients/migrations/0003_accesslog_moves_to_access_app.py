"""The AccessLog model now belongs to the access app: state only.

The table `clients_accesslog`, its rows, its indexes and its append-only
trigger (0002) stay exactly as they are; access/0001 takes the model over.
"""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_database_rules")]
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="AccessLog")]),
    ]
