"""The guard and the request's ledger: each request leaves one access-log row per client it touched.

A form shown again after a failed POST is a read and leaves its "viewed"
row; a POST that saves leaves only the service's row; a list names every
client it shows once.
"""
import datetime as dt

from django.urls import reverse
from django.utils import timezone

from access.models import AccessLog
from tests import factories as f
from tests.conftest import login
from tests.factories import make_visit


def rows(**filters):
    return list(AccessLog.objects.filter(**filters).order_by("id").values_list("client_id", "object_type", "action", "allowed"))


def test_a_client_form_shown_again_after_a_failed_post_is_logged_as_a_read(client, coordinator, client_record):
    login(client, coordinator)

    response = client.post(reverse("clients:edit", args=[client_record.pk]), {"first_name": ""})

    assert response.status_code == 200
    assert rows() == [(client_record.pk, "client", "view", True)]


def test_a_saved_client_form_leaves_only_the_change(client, coordinator, client_record):
    login(client, coordinator)
    form = client.get(reverse("clients:edit", args=[client_record.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(first_name="Helmi-Maria", team=client_record.team_id, preferred_art_forms=[])
    before = AccessLog.objects.count()

    response = client.post(reverse("clients:edit", args=[client_record.pk]), data)

    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert rows()[before:] == [(client_record.pk, "client", "update", True)]


def test_the_schedule_pages_client_drop_down_is_a_list_read_of_each_client(client, coordinator, client_record, team):
    other = f.ClientFactory(team=team, first_name="Toivo")
    login(client, coordinator)

    client.get(reverse("visits:schedule"))

    assert sorted(rows()) == sorted([(client_record.pk, "client", "list", True), (other.pk, "client", "list", True)])


def test_an_admin_page_is_logged_on_the_admin_channel(client, admin_user, client_record):
    login(client, admin_user)

    client.get(reverse("admin:clients_client_change", args=[client_record.pk]))

    assert rows(channel="admin") == [(client_record.pk, "client", "view", True)]


def test_the_home_page_of_a_pair_member_is_a_list_read_of_the_clients_it_names(client, nurse, pair, client_record):
    make_visit(pair=pair, client=client_record, starts_at=timezone.now() + dt.timedelta(hours=2))
    login(client, nurse)

    client.get(reverse("home"))

    assert rows() == [(client_record.pk, "visit", "list", True)]
