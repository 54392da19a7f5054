"""Teams, colleagues and work pairs as the API shows them."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from access.policy import policy
from pairwork.models import StaffProfile, Team, WorkPair


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "area", "description"]


class StaffSerializer(serializers.ModelSerializer):
    """What colleagues may know of each other: no phone, e-mail, account or calendar details."""

    name = serializers.CharField(source="display_name", read_only=True)
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = StaffProfile
        fields = ["id", "name", "role", "teams", "art_forms", "languages"]
        read_only_fields = fields


class WorkPairSerializer(serializers.ModelSerializer):
    """An artist and a nurse of one team. People and team are set when the pair is formed."""

    artist = serializers.PrimaryKeyRelatedField(queryset=StaffProfile.objects.none())
    nurse = serializers.PrimaryKeyRelatedField(queryset=StaffProfile.objects.none())
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.none())
    artist_name = serializers.CharField(source="artist.display_name", read_only=True)
    nurse_name = serializers.CharField(source="nurse.display_name", read_only=True)
    is_active = serializers.SerializerMethodField(help_text=_("Whether the pair works today."))

    class Meta:
        model = WorkPair
        fields = [
            "id", "team", "artist", "artist_name", "nurse", "nurse_name",
            "active_from", "active_until", "shared_agreement", "is_active", "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = request.user if request is not None else None
        # Choices are limited to what the caller may act on; others are "not found" (400 on the field).
        colleagues = policy(user).visible_staff()
        fields["artist"].queryset = colleagues.artists()
        fields["nurse"].queryset = colleagues.nurses()
        fields["team"].queryset = policy(user).managed_teams()
        return fields

    def get_is_active(self, pair: WorkPair) -> bool:
        return pair.is_active_on(timezone.localdate())


class WorkPairChangeSerializer(serializers.ModelSerializer):
    """What may change in a formed pair: its start, its shared agreement, and its last day (ending it)."""

    class Meta:
        model = WorkPair
        fields = ["active_from", "active_until", "shared_agreement"]
        extra_kwargs = {
            "active_until": {"help_text": _("The pair's last day. Set it to end the pair; an ended pair keeps its history.")},
        }
