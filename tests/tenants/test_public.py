"""Public host: a signed-in person's workspaces, and creating one with progress."""

import json

import pytest

from saas_platform.celery import app
from tenants.models import Membership, ProvisioningJob
from tenants.provisioning import schema_build
from tests.conftest import client_for
from tests.factories import UserFactory


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_home_lists_my_workspaces(ws_a):
    page = client_for(None, ws_a.users["owner"]).get("/").content.decode()
    assert "Workspace alpha" in page
    assert "Workspace beta" not in page


def test_create_workspace_reports_progress_then_opens_it(db, eager):
    # given
    person = UserFactory()
    schema_build()
    client = client_for(None, person)
    # when
    created = client.post("/workspaces/new/", {"name": "Công ty Sao Mai", "slug": "saomai"})
    job = ProvisioningJob.objects.get(owner=person)
    status = json.loads(client.get(f"/workspaces/jobs/{job.pk}/status/").content)
    progress_page = client.get(f"/workspaces/jobs/{job.pk}/")
    # then
    assert created.status_code == 302
    assert status == {"state": "done", "progress": 100, "message": "ready", "redirect": "/workspaces/saomai/open/"}
    assert progress_page.status_code == 200
    assert Membership.objects.get(user=person).tenant.name == "Công ty Sao Mai"


def test_create_workspace_shows_field_errors(db):
    # when
    response = client_for(None, UserFactory()).post("/workspaces/new/", {"name": "", "slug": "www"})
    # then
    assert response.status_code == 400
    assert response.content.decode().count("field-error") == 2
    assert not ProvisioningJob.objects.exists()


def test_someone_elses_job_is_404(ws_a, db):
    # given
    job = ProvisioningJob.objects.create(name="X", slug="xyz", owner=ws_a.users["owner"])
    # when
    response = client_for(None, UserFactory()).get(f"/workspaces/jobs/{job.pk}/status/")
    # then
    assert response.status_code == 404
