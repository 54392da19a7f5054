"""Keep each user's Django group equal to their staff role."""
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import StaffProfile
from .roles import sync_role_group


@receiver(post_save, sender=StaffProfile)
def staff_profile_saved(sender, instance: StaffProfile, **kwargs) -> None:
    sync_role_group(instance)
