"""Keep each user's Django group equal to their staff role; say goodbye on sign-out."""
from django.contrib import messages
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from .models import StaffProfile
from .roles import sync_role_group


@receiver(post_save, sender=StaffProfile)
def staff_profile_saved(sender, instance: StaffProfile, **kwargs) -> None:
    sync_role_group(instance)


@receiver(user_logged_out)
def tell_user_they_signed_out(sender, request, user, **kwargs) -> None:
    # The message goes to the cookie store, so it survives the session being
    # flushed and appears on the sign-in page the logout redirects to.
    if request is not None:
        messages.success(request, _("You have signed out."), fail_silently=True)
