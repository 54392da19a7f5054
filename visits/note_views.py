"""The visit on a phone: the visit page, one's own note, the outcome, and a client's past notes.

Each request that shows or changes client data leaves exactly one access-log
row: the visit or client is fetched through access.guard, which logs the
read or the refusal; a service that saves logs its change instead.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from access import guard, page_cache
from access.choices import ObjectType
from access.models import AccessLog
from access.policy import Access, Policy, policy
from pairwork.choices import ArtForm

from . import notes
from .absences import flag_absences
from .models import OUTCOME_STATUSES, Visit, VisitNote, VisitStatus
from .note_forms import VisitNoteForm, VisitOutcomeForm
from .outcomes import may_record_outcome_now, record_visit_outcome

NOTES_PER_PAGE = 20


def art_form_labels(values: list[str]) -> list[str]:
    return [ArtForm(value).label for value in values if value in ArtForm.values]


def _visit_page_context(request: HttpRequest, visit: Visit, access: Access, outcome_form=None) -> dict:
    """Everything the visit page shows, decided here so that the template only displays.

    Least data: the client's first name, address, wishes and safety notes for
    everyone who may see the visit; health notes only where access.policy allows.
    """
    user = request.user
    client = visit.client
    rules = policy(user)
    flag_absences([visit])  # "Hanna is absent (sick leave)" on the visit
    me = rules.profile
    participants = notes.participants_with_notes(visit)
    own = next((p for p in participants if me is not None and p.staff_id == me.pk), None)
    own_note = _note_of(own)
    written = [{"participant": p, "note": _note_of(p), "is_own": p is own} for p in participants if _note_of(p)]
    return {
        "visit": visit,
        "client_first_name": client.first_name,
        "address": ", ".join(p for p in (client.street_address, f"{client.postal_code} {client.area}".strip()) if p),
        "wishes": client.needs_and_wishes,
        "art_forms": art_form_labels(client.preferred_art_forms),
        "safety_notes": client.safety_notes,
        "health_notes": client.health_notes if rules.sees_health_data else None,
        # Care-plan observations in the notes are health data too (access.fields).
        "show_health_data": rules.sees_health_data,
        "shared_agreement": visit.pair.shared_agreement,
        "participants": participants,
        "notes": written,
        "own_note": own_note,
        "may_write_note": own is not None and own_note is None and notes.may_write_note_now(visit),
        "may_edit_note": own_note is not None and notes.is_editable(own_note),
        "outcome_form": outcome_form
        if outcome_form is not None
        else (
            # The outcome already recorded is shown chosen, so the pair sees what was said and can correct it.
            VisitOutcomeForm(initial={"status": visit.status if visit.status in OUTCOME_STATUSES else None})
            if own is not None and may_record_outcome_now(visit) else None
        ),
        "may_see_access_log": rules.access_log_access(client).allowed,
        # The coordinator plans from here: move and cancel a planned visit (the calendars open this page).
        "may_manage": visit.status == VisitStatus.PLANNED and rules.visit_manager_access(visit).allowed,
        "may_find_stand_in": visit.ends_at > timezone.now(),
    }


def _note_of(participant) -> VisitNote | None:
    if participant is None:
        return None
    try:
        return participant.note
    except VisitNote.DoesNotExist:
        return None


@page_cache.cacheable
@login_required
@require_http_methods(["GET"])
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit, access = guard.fetch(request.user, ObjectType.VISIT, pk)
    return render(request, "visits/visit_detail.html", _visit_page_context(request, visit, access))


@login_required
@sensitive_post_parameters()
@require_POST
def visit_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    visit, access = guard.fetch(
        request.user, ObjectType.VISIT, pk, rule=Policy.participant_access, action=AccessLog.Action.UPDATE
    )
    form = VisitOutcomeForm(request.POST)
    if form.is_valid():
        try:
            visit = record_visit_outcome(visit=visit, by=request.user, status=form.cleaned_data["status"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved: the visit is marked “%(status)s”.") % {"status": visit.get_status_display()})
            return redirect("visits:detail", pk=visit.pk)
    # Shown again with the error: the guard's row records it as the read it is.
    visit.refresh_from_db(fields=["status"])
    return render(request, "visits/visit_detail.html", _visit_page_context(request, visit, access, outcome_form=form))


def after_first_note_url(visit: Visit) -> str:
    """Offer the post-visit pulse once the note is in."""
    return reverse("wellbeing:pulse", args=[visit.pk])


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def visit_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Write or edit one's own note for the visit (participants only; anyone else gets 404)."""
    action = AccessLog.Action.UPDATE if request.method == "POST" else AccessLog.Action.VIEW
    visit, access = guard.fetch(request.user, ObjectType.VISIT, pk, rule=Policy.participant_access, action=action)
    participant = notes.participation_of(visit, policy(request.user).profile)
    note = _note_of(participant)

    form = VisitNoteForm(request.POST if request.method == "POST" else None, instance=note)
    if request.method == "POST":
        if form.is_valid():
            # The service has the last word on the 48-hour rule and the rest.
            try:
                if note is None:
                    notes.log_visit_note(participant=participant, by=request.user, content=form.content())
                    messages.success(request, _("Your note was saved. Your partner and the coordinator can read it now."))
                    return redirect(after_first_note_url(visit))
                notes.edit_visit_note(note=note, by=request.user, content=form.content())
                messages.success(request, _("Your changes to the note were saved."))
                return redirect("visits:detail", pk=visit.pk)
            except ValidationError as error:
                form.add_error(None, error)
        # Not saved, shown again with the reason: the guard's row records it as a read.
    context = {
        "visit": visit,
        "client_first_name": visit.client.first_name,
        "form": form,
        "note": note,
        "open_for_writing": notes.is_editable(note) if note is not None else notes.may_write_note_now(visit),
        "editable_until": notes.editable_until(note) if note is not None else None,
        "edit_window_hours": VisitNote.EDIT_WINDOW_HOURS,
        "show_health_data": True,  # one's own note, whole
    }
    return render(request, "visits/note_form.html", context)


@login_required
@require_http_methods(["GET"])
def client_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """Notes of the client's past visits, for the pair members and the team's coordinator."""
    client, _access = guard.fetch(
        request.user, ObjectType.CLIENT, pk, action=AccessLog.Action.LIST, log_as=ObjectType.VISIT_NOTES
    )
    page = Paginator(notes.past_visits_with_notes(request.user, client), NOTES_PER_PAGE).get_page(request.GET.get("page"))
    visits = [
        {"visit": visit, "notes": [(p, _note_of(p)) for p in visit.participants.all() if _note_of(p) is not None]}
        for visit in page.object_list
    ]
    return render(
        request,
        "clients/client_notes.html",
        {"client_first_name": client.first_name, "client_pk": client.pk, "page": page, "visits": visits,
         "show_health_data": policy(request.user).sees_health_data},
    )
