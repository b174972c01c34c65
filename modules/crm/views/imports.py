"""Import and export: upload a CSV/XLSX, map its columns, watch the progress, read the report; download
companies & contacts, leads and deals as CSV (streamed) or XLSX."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from modules.crm.dataio import csv_stream, xlsx_bytes
from modules.crm.errors import CrmError
from modules.crm.forms.imports import ImportMappingForm, ImportUploadForm
from modules.crm.models import ImportJob
from modules.crm.selectors import imports as selectors
from modules.crm.services import imports as services
from modules.crm.views.common import crm_view
from tenants.access import membership_allows
from tenants.roles import Access

FEATURE = "crm.import_export"
State = ImportJob.State
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _list_page(request, form: ImportUploadForm | None, status: int = 200):
    membership = request.membership
    jobs = list(selectors.import_jobs_for(membership=membership)[:50])
    emails = selectors.member_emails(tenant=request.tenant) if jobs else {}
    for job in jobs:
        job.created_by_email = emails.get(job.created_by_id, "")
    can_import = membership_allows(membership, "crm", Access.EDIT)
    context = {"jobs": jobs, "form": form if can_import else None, "can_import": can_import,
               "targets": [(value, label) for value, label in ImportJob.Target.choices
                           if value in ImportJob.CRM_TARGETS], "formats": selectors.EXPORT_FORMATS}
    return render(request, "crm/imports/list.html", context, status=status)


@crm_view(FEATURE)
def import_list(request):
    return _list_page(request, ImportUploadForm())


@require_POST
@crm_view(FEATURE, Access.EDIT)
def import_upload(request):
    form = ImportUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = services.import_job_create(target=form.cleaned_data["target"], upload=form.cleaned_data["file"],
                                             actor=request.user)
        except CrmError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("import_mapping", job_id=job.pk)
    return _list_page(request, form, status=400)


@crm_view(FEATURE, Access.EDIT)
def import_mapping(request, job_id: int):
    job = selectors.import_job_for(membership=request.membership, job_id=job_id)
    if job.state not in (State.UPLOADED, State.FAILED):
        return redirect("import_progress", job_id=job.pk)
    form = ImportMappingForm(request.POST or None, job=job)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_job_start(job=job, mapping=form.mapping(), actor=request.user)
        except CrmError as error:
            form.add_error(form.field_name(error.field) if error.field in form.headers else None, error.message)
        else:
            return redirect("import_progress", job_id=job.pk)
    samples = selectors.import_preview(job=job)
    columns = [(form[form.field_name(header)], samples.get(header, [])) for header in form.headers]
    return render(request, "crm/imports/mapping.html", {"job": job, "form": form, "columns": columns},
                  status=400 if form.errors else 200)


@crm_view(FEATURE)
def import_progress(request, job_id: int):
    job = selectors.import_job_for(membership=request.membership, job_id=job_id)
    if job.state in (State.DONE, State.FAILED):
        return redirect("import_report", job_id=job.pk)
    return render(request, "crm/imports/progress.html", {"job": job, "status": selectors.import_progress(job=job)})


@crm_view(FEATURE)
def import_status(request, job_id: int):
    job = selectors.import_job_for(membership=request.membership, job_id=job_id)
    status = selectors.import_progress(job=job)
    if job.state in (State.DONE, State.FAILED):
        status["redirect"] = reverse("import_report", kwargs={"job_id": job.pk})
    return JsonResponse(status)


@crm_view(FEATURE)
def import_report(request, job_id: int):
    job = selectors.import_job_for(membership=request.membership, job_id=job_id)
    return render(request, "crm/imports/report.html", {
        "job": job, "can_remap": job.state == State.FAILED and membership_allows(request.membership, "crm",
                                                                                  Access.EDIT)})


@crm_view(FEATURE)
def export_download(request, target: str, fmt: str):
    if target not in ImportJob.CRM_TARGETS or fmt not in selectors.EXPORT_FORMATS:
        raise Http404
    headers, rows = selectors.export_table(target=target, membership=request.membership, tenant=request.tenant)
    filename = f"{target}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(headers, selectors.in_schema(rows)),
                                         content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(xlsx_bytes(headers, rows, title=target), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [
    path("imports/", import_list, name="import_list"),
    path("imports/upload/", import_upload, name="import_upload"),
    path("imports/<int:job_id>/mapping/", import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/progress/", import_progress, name="import_progress"),
    path("imports/<int:job_id>/status/", import_status, name="import_status"),
    path("imports/<int:job_id>/report/", import_report, name="import_report"),
    path("exports/<slug:target>.<slug:fmt>", export_download, name="export_download"),
]
