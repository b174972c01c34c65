"""Public-host views for signed-in people: their workspaces, and creating a new one."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tenants import selectors, services
from tenants.forms import WorkspaceCreateForm
from tenants.hop import hop_token_make
from tenants.models import ProvisioningJob
from tenants.urls_helpers import workspace_url


def home(request):
    if not request.user.is_authenticated:
        return render(request, "public/home.html")
    memberships = selectors.memberships_for_user(user=request.user)
    return render(request, "public/workspaces.html", {"memberships": memberships})


@login_required
def workspace_open(request, slug: str):
    membership = get_object_or_404(selectors.memberships_for_user(user=request.user), tenant__schema_name=slug)
    token = hop_token_make(user_id=request.user.pk, tenant=membership.tenant)
    after = request.GET.get("next", "")
    after = f"&next={quote(after)}" if after.startswith("/") and not after.startswith("//") else ""
    return redirect(workspace_url(membership.tenant, f"/hop/?t={token}{after}"))


@login_required
def workspace_create(request):
    form = WorkspaceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = services.provisioning_job_start(
            name=form.cleaned_data["name"], slug=form.cleaned_data["slug"], owner=request.user
        )
        return redirect("workspace_progress", job_id=job.pk)
    return render(request, "public/workspace_create.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def workspace_progress(request, job_id: int):
    job = get_object_or_404(ProvisioningJob, pk=job_id, owner=request.user)
    return render(request, "public/workspace_progress.html", {"job": job})


@login_required
def workspace_progress_status(request, job_id: int):
    job = get_object_or_404(ProvisioningJob, pk=job_id, owner=request.user)
    payload = {"state": job.state, "progress": job.progress, "message": job.message}
    if job.state == ProvisioningJob.State.DONE and job.tenant_id:
        payload["redirect"] = f"/workspaces/{job.slug}/open/"
    return JsonResponse(payload)


@login_required
@require_POST
def workspace_retry(request, job_id: int):
    job = get_object_or_404(ProvisioningJob, pk=job_id, owner=request.user, state=ProvisioningJob.State.FAILED)
    services.provisioning_job_retry(job=job)
    return redirect("workspace_progress", job_id=job.pk)
