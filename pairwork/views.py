from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import selectors
from .models import Role
from .navigation import SHORTCUTS, links_for
from .roles import ADMINISTRATOR, role_of
from .sign_in_protection import password_reset_allowed

HOME_SELECTORS = {
    Role.COORDINATOR: selectors.coordinator_home,
    Role.ARTIST: selectors.staff_home,
    Role.NURSE: selectors.staff_home,
    Role.MANAGER: selectors.manager_home,
    ADMINISTRATOR: selectors.administrator_home,
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's own start page; an account without a role sees only that it has none."""
    role = role_of(request.user)
    if role is None:
        return render(request, "home/no_role.html")
    context = HOME_SELECTORS[role](user=request.user)
    context["shortcuts"] = links_for(role, request.path, SHORTCUTS)
    return render(request, f"home/{role}.html", context)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset-by-e-mail, rate-limited per address and per e-mail address (pairwork.sign_in_protection)."""

    def form_valid(self, form):
        address_allowed, mail_allowed = password_reset_allowed(self.request, form.cleaned_data["email"])
        if not address_allowed:
            form.add_error("email", _("Too many password reset requests from your address. Try again in an hour."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        if not mail_allowed:
            # The same page as a sent mail, so the limit tells nobody whether the address has an account.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
