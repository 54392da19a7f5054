"""The two no-overlap constraints' indexes lead with the client and the person, not the time range.

The same rules (docs/rules.md rule 1), the same names; only the column order
of their GiST indexes changes. Every booking's check and every "who is busy
then" read asks for one client or a few people at a time: led by the range,
the index had to visit every visit of the region in that period and filter
by person; led by the person, it goes to that person's visits.
"""

import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
import visits.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0005_client_preferences'),
        ('pairwork', '0005_team_travel_buffer'),
        ('visits', '0010_visit_team_copy'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='visit',
            name='visit_client_no_overlap',
        ),
        migrations.RemoveConstraint(
            model_name='visitparticipant',
            name='visitparticipant_person_no_overlap',
        ),
        migrations.AddConstraint(
            model_name='visit',
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(('status__in', ('cancelled',)), _negated=True), expressions=[('client', '='), (visits.models.TsTzRange('starts_at', 'ends_at', django.contrib.postgres.fields.ranges.RangeBoundary()), '&&')], name='visit_client_no_overlap'),
        ),
        migrations.AddConstraint(
            model_name='visitparticipant',
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(('visit_active', True)), expressions=[('staff', '='), ('during', '&&')], name='visitparticipant_person_no_overlap'),
        ),
    ]
