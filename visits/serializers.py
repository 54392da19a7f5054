"""Visits as the API shows them: who, when, where, status; never health data."""
from __future__ import annotations

from rest_framework import serializers

from clients.models import Client
from pairwork.models import WorkPair

from .models import Visit, VisitParticipant


class VisitClientSerializer(serializers.ModelSerializer):
    """Enough to recognise the client of a visit; the record itself is at /clients/{id}/."""

    class Meta:
        model = Client
        fields = ["id", "first_name", "last_name", "area"]
        read_only_fields = fields


class VisitPairSerializer(serializers.ModelSerializer):
    artist_name = serializers.CharField(source="artist.display_name", read_only=True)
    nurse_name = serializers.CharField(source="nurse.display_name", read_only=True)

    class Meta:
        model = WorkPair
        fields = ["id", "team", "artist", "artist_name", "nurse", "nurse_name"]
        read_only_fields = fields


class VisitParticipantSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="staff.display_name", read_only=True)

    class Meta:
        model = VisitParticipant
        fields = ["staff", "name", "role"]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    client = VisitClientSerializer(read_only=True)
    pair = VisitPairSerializer(read_only=True)
    participants = VisitParticipantSerializer(many=True, read_only=True)
    duration_minutes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id", "client", "pair", "participants", "starts_at", "ends_at", "duration_minutes", "status",
            "cancellation_reason", "series", "created_at", "updated_at",
        ]
        read_only_fields = fields
