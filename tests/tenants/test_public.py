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


def test_create_workspace_reports_progress_then_opens_it(db, eager, django_capture_on_commit_callbacks):
    # given
    person = UserFactory()
    schema_build()
    client = client_for(None, person)
    # when
    with django_capture_on_commit_callbacks(execute=True):
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


def test_failed_provisioning_says_so_and_retry_succeeds(db, eager, django_capture_on_commit_callbacks,
                                                         monkeypatch):
    # given: the first run breaks while building (the pool is empty)
    import tenants.provisioning as provisioning

    person = UserFactory()
    client = client_for(None, person)
    real_call_command = provisioning.call_command
    monkeypatch.setattr(provisioning, "call_command", _raise)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/workspaces/new/", {"name": "Hoa Sen", "slug": "hoasen"})
    job = ProvisioningJob.objects.get(owner=person)
    failed = json.loads(client.get(f"/workspaces/jobs/{job.pk}/status/").content)
    # when
    monkeypatch.setattr(provisioning, "call_command", real_call_command)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/workspaces/jobs/{job.pk}/retry/")
    done = json.loads(client.get(f"/workspaces/jobs/{job.pk}/status/").content)
    # then
    assert failed["state"] == "failed"
    assert done["state"] == "done"
    assert Membership.objects.get(user=person).tenant.schema_name == "hoasen"


def _raise(*args, **kwargs):
    raise RuntimeError("migration crashed")
