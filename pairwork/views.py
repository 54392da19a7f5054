from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from .sign_in_protection import password_reset_allowed


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
