"""Survey instruments as the API shows them, in the language of the request."""
from __future__ import annotations

from rest_framework import serializers

from .models import Instrument, Item, Scale


class ScaleSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Scale
        fields = ["code", "position", "name", "rule", "max_missing"]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    scale = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)
    min_label = serializers.CharField(read_only=True)
    max_label = serializers.CharField(read_only=True)

    class Meta:
        model = Item
        fields = [
            "code", "position", "scale", "text", "scale_min", "scale_max", "min_label", "max_label",
            "reverse_scored", "required",
        ]
        read_only_fields = fields


class InstrumentSerializer(serializers.ModelSerializer):
    """A questionnaire version with its scales and items. Texts follow Accept-Language (fi, sv, en)."""

    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    time_points = serializers.ListField(child=serializers.CharField(), read_only=True)
    scales = ScaleSerializer(many=True, read_only=True)
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = Instrument
        fields = ["id", "code", "version", "name", "description", "audience", "time_points", "is_active", "scales", "items"]
        read_only_fields = fields
