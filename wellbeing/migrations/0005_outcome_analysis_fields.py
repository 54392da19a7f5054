"""What the outcome analysis needs to know of a scale, and when follow-up is due.

The shipped scales get their direction and minimal important change here;
scales of an instrument that already has answers are left as they are (they
are frozen by the trigger of 0003).
"""

import django.core.validators
from django.db import migrations, models


# scale code -> (higher is better, minimal important change in score points)
SHIPPED = {
    "personal_wellbeing": (True, 1.0),
    "loneliness": (False, 0.5),
    "physical_functioning": (True, 0.5),
    "sick_leave_days": (False, None),
}


def describe_shipped_scales(apps, schema_editor):
    Scale = apps.get_model("wellbeing", "Scale")
    for code, (higher_is_better, mic) in SHIPPED.items():
        Scale.objects.filter(code=code, instrument__version=1, instrument__responses__isnull=True).update(
            higher_is_better=higher_is_better, minimal_important_change=mic
        )


class Migration(migrations.Migration):

    dependencies = [
        ('wellbeing', '0004_shipped_instruments'),
    ]

    operations = [
        migrations.AddField(
            model_name='instrument',
            name='follow_up_weeks',
            field=models.PositiveSmallIntegerField(default=8, help_text='For client instruments: the follow-up is due this many weeks after the baseline.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(104)], verbose_name='follow-up after (weeks)'),
        ),
        migrations.AddField(
            model_name='scale',
            name='higher_is_better',
            field=models.BooleanField(default=True, help_text='Clear this for scales such as loneliness, where a lower score is an improvement.', verbose_name='higher score is better'),
        ),
        migrations.AddField(
            model_name='scale',
            name='minimal_important_change',
            field=models.FloatField(blank=True, help_text="The smallest change in the scale's score that matters to a client; used for the share of clients who improved.", null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='minimal important change'),
        ),
        migrations.RunPython(describe_shipped_scales, migrations.RunPython.noop),
    ]
