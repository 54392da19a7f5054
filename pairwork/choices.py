"""Vocabularies shared by staff, clients, visits and surveys."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArtForm(models.TextChoices):
    MUSIC = "music", _("Music")
    SINGING = "singing", _("Singing")
    VISUAL_ART = "visual_art", _("Visual art")
    DANCE = "dance", _("Dance and movement")
    THEATRE = "theatre", _("Theatre and drama")
    LITERATURE = "literature", _("Literature and poetry")
    CIRCUS = "circus", _("Circus")
    CRAFTS = "crafts", _("Crafts")
    PHOTOGRAPHY = "photography", _("Photography")


class Language(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")
    SAMI = "se", _("Sámi")
    RUSSIAN = "ru", _("Russian")
    ESTONIAN = "et", _("Estonian")
    SOMALI = "so", _("Somali")
    ARABIC = "ar", _("Arabic")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
