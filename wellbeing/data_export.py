"""The client's own outcome answers in a data-subject export (clients.data_requests, added in wellbeing.apps)."""
from __future__ import annotations

from clients.models import Client

from .models import SurveyResponse


def survey_responses(client: Client) -> list[dict]:
    """The client's own answers (outcome measures); staff members' answers are theirs, not the client's."""
    responses = (
        SurveyResponse.objects.filter(client=client)
        .select_related("instrument")
        .prefetch_related("answers__item", "scores__scale")
        .order_by("submitted_at")
    )
    return [
        {
            "instrument": response.instrument.code,
            "instrument_version": response.instrument.version,
            "time_point": response.time_point,
            "period": response.period,
            "submitted_at": response.submitted_at,
            "answers": [
                {"item": answer.item.code, "question": answer.item.text, "value": answer.value}
                for answer in response.answers.all()
            ],
            "scores": [{"scale": score.scale.code, "value": score.value} for score in response.scores.all()],
        }
        for response in responses
    ]
