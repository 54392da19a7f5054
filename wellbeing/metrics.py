"""The metrics the dashboard shows, named as the aggregation names them: '<instrument>.<scale>'."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PULSE = "post_visit_pulse"
MONTHLY = "monthly_staff_wellbeing"
CLIENT_OUTCOME = "client_outcome"

PULSE_CALM = f"{PULSE}.calm"
PULSE_TIME_TO_MEET = f"{PULSE}.time_to_meet"
PULSE_ENERGISED = f"{PULSE}.energised"
WORK_ABILITY = f"{MONTHLY}.work_ability"
SICK_LEAVE_DAYS = f"{MONTHLY}.sick_leave_days"
# Derived in SQL for every monthly staff instrument: 1 if the respondent took
# part in a delivered paired visit that month, else 0; its mean is a share.
PAIR_WORK_SUFFIX = "pair_work_share"
PAIR_WORK_SHARE = f"{MONTHLY}.{PAIR_WORK_SUFFIX}"
CHANGE_SUFFIX = "change"
PERSONAL_WELLBEING_CHANGE = f"{CLIENT_OUTCOME}.personal_wellbeing.{CHANGE_SUFFIX}"
LONELINESS_CHANGE = f"{CLIENT_OUTCOME}.loneliness.{CHANGE_SUFFIX}"
PHYSICAL_FUNCTIONING_CHANGE = f"{CLIENT_OUTCOME}.physical_functioning.{CHANGE_SUFFIX}"

PULSE_METRICS = (PULSE_CALM, PULSE_TIME_TO_MEET, PULSE_ENERGISED)
STAFF_METRICS = (WORK_ABILITY, SICK_LEAVE_DAYS, PAIR_WORK_SHARE)
CLIENT_METRICS = (PERSONAL_WELLBEING_CHANGE, LONELINESS_CHANGE, PHYSICAL_FUNCTIONING_CHANGE)
SHARE_METRICS = (PAIR_WORK_SHARE,)
DASHBOARD_METRICS = PULSE_METRICS + STAFF_METRICS + CLIENT_METRICS

# What each measure is called comes from the instruments' own texts
# (wellbeing.dashboard.labels); only this derived measure has no survey item.
DERIVED_LABELS = {
    PAIR_WORK_SHARE: _("Respondents in pair work that month (%)"),
}
CLIENT_METRICS_BY_SCALE = {metric.removesuffix(f".{CHANGE_SUFFIX}"): metric for metric in CLIENT_METRICS}

# The possible range of each metric's value: a confidence bound outside it
# (a t interval of sick-leave days below zero) is shown at the limit.
RANGES = {
    PULSE_CALM: (1, 5),
    PULSE_TIME_TO_MEET: (1, 5),
    PULSE_ENERGISED: (1, 5),
    WORK_ABILITY: (0, 10),
    SICK_LEAVE_DAYS: (0, 31),
    PAIR_WORK_SHARE: (0, 1),
    PERSONAL_WELLBEING_CHANGE: (-10, 10),
    LONELINESS_CHANGE: (-4, 4),
    PHYSICAL_FUNCTIONING_CHANGE: (-4, 4),
}
