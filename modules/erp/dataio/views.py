"""ERP imports at /erp/imports/: products and opening stock through the CRM's import run. Upload, map the
columns, check every row first (a dry run that writes nothing and previews what would be written), import
(all rows or none), watch the progress, read the report. A sample file per kind shows the columns."""

from __future__ import annotations

from contextlib import suppress

from django import forms
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from billing.entitlements import entitlements_of_request, upgrade_page
from modules.crm.dataio import csv_stream
from modules.crm.errors import CrmError
from modules.crm.forms.imports import ImportMappingForm
from modules.crm.import_fields import fields_of
from modules.crm.models import ImportJob
from modules.crm.selectors import imports as selectors
from modules.crm.services import imports as services
from modules.erp.dataio.imports import FEATURES
from modules.erp.views_common import erp_view
from tenants.access import membership_allows
from tenants.roles import Access

State = ImportJob.State
TARGETS = tuple(FEATURES)
SAMPLES = {
    ImportJob.Target.PRODUCTS: (
        ["Mã hàng", "Tên hàng", "Loại", "ĐVT", "Nhóm hàng", "Mã vạch", "Thuế GTGT", "Giá bán", "Tiền tệ"],
        [["NUOC-500", "Nước suối 500ml", "Hàng hóa", "Chiếc", "Đồ uống", "8934567000011", "8%", "5.000", "VND"],
         ["GIAO-HANG", "Phí giao hàng", "Dịch vụ", "lan", "", "", "10%", "30.000", "VND"]]),
    ImportJob.Target.OPENING_STOCK: (
        ["Mã hàng", "Mã kho", "Vị trí", "Số lượng", "Đơn giá vốn", "Số lô"],
        [["NUOC-500", "", "", "240", "3.200", ""], ["NUOC-500", "WH", "STOCK", "48", "3.350", ""]]),
}


class ErpImportUploadForm(forms.Form):
    target = forms.ChoiceField(label=_("The file contains"))
    file = forms.FileField(label=_("CSV or Excel file (.csv, .xlsx, up to 20 MB)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))

    def __init__(self, *args, targets: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets


def _targets(request) -> list[tuple[str, str]]:
    """The kinds the plan allows (opening stock needs the inventory)."""
    allows = entitlements_of_request(request).allows
    return [(value, label) for value, label in ImportJob.Target.choices if value in FEATURES
            and allows(FEATURES[value])]


def _job(request, job_id: int) -> ImportJob:
    """An ERP import the member may see; a CRM import, another member's or another workspace's is not found."""
    return selectors.import_job_for(membership=request.membership, job_id=job_id, targets=TARGETS)


def _gate(request, job: ImportJob):
    """The upgrade page when the plan no longer has the job's feature, else None."""
    feature = FEATURES[job.target]
    return None if entitlements_of_request(request).allows(feature) else upgrade_page(request, feature)


def _list_page(request, form: ErpImportUploadForm | None, status: int = 200):
    jobs = list(selectors.import_jobs_for(membership=request.membership, targets=TARGETS)[:50])
    emails = selectors.member_emails(tenant=request.tenant) if jobs else {}
    for job in jobs:
        job.created_by_email = emails.get(job.created_by_id, "")
    can_import = membership_allows(request.membership, "erp", Access.EDIT)
    targets = _targets(request)
    kinds = [{"value": value, "label": label, "fields": list(fields_of(value).values())}
             for value, label in targets]
    return render(request, "erp/imports/list.html", {
        "jobs": jobs, "form": form if can_import else None, "can_import": can_import, "kinds": kinds},
        status=status)


@erp_view("erp.catalog")
def import_list(request):
    return _list_page(request, ErpImportUploadForm(targets=_targets(request)))


@require_POST
@erp_view("erp.catalog", Access.EDIT)
def import_upload(request):
    form = ErpImportUploadForm(request.POST, request.FILES, targets=_targets(request))
    if form.is_valid():
        try:
            job = services.import_job_create(target=form.cleaned_data["target"], upload=form.cleaned_data["file"],
                                             actor=request.user)
        except CrmError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("erp_import_mapping", job_id=job.pk)
    return _list_page(request, form, status=400)


@erp_view("erp.catalog", Access.EDIT)
def import_mapping(request, job_id: int):
    """Choose the columns, then check only (a dry run) or check and import."""
    job = _job(request, job_id)
    blocked = _gate(request, job)
    if blocked:
        return blocked
    if job.state not in (State.UPLOADED, State.FAILED):
        return redirect("erp_import_progress", job_id=job.pk)
    form = ImportMappingForm(request.POST or None, job=job)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_job_start(job=job, mapping=form.mapping(), actor=request.user,
                                      dry_run="import" not in request.POST)
        except CrmError as error:
            form.add_error(form.field_name(error.field) if error.field in form.headers else None, error.message)
        else:
            return redirect("erp_import_progress", job_id=job.pk)
    samples = selectors.import_preview(job=job)
    columns = [(form[form.field_name(header)], samples.get(header, [])) for header in form.headers]
    return render(request, "erp/imports/mapping.html", {"job": job, "form": form, "columns": columns},
                  status=400 if form.errors else 200)


@erp_view("erp.catalog")
def import_progress(request, job_id: int):
    job = _job(request, job_id)
    if job.state in (State.DONE, State.FAILED):
        return redirect("erp_import_report", job_id=job.pk)
    if selectors.import_preview_summary(job=job) is not None:
        return redirect("erp_import_preview", job_id=job.pk)
    if job.state == State.UPLOADED:
        return redirect("erp_import_mapping", job_id=job.pk)
    return render(request, "erp/imports/progress.html", {"job": job, "status": selectors.import_progress(job=job)})


@erp_view("erp.catalog")
def import_status(request, job_id: int):
    job = _job(request, job_id)
    status = selectors.import_progress(job=job)
    if job.state in (State.DONE, State.FAILED):
        status["redirect"] = reverse("erp_import_report", kwargs={"job_id": job.pk})
    elif selectors.import_preview_summary(job=job) is not None:
        status["redirect"] = reverse("erp_import_preview", kwargs={"job_id": job.pk})
    return JsonResponse(status)


@erp_view("erp.catalog")
def import_preview(request, job_id: int):
    """What the checked file would write; importing it runs the check again, then writes."""
    job = _job(request, job_id)
    summary = selectors.import_preview_summary(job=job)
    if summary is None:
        return redirect("erp_import_progress", job_id=job.pk)
    return render(request, "erp/imports/preview.html", {
        "job": job, "summary": summary, "can_import": membership_allows(request.membership, "erp", Access.EDIT)})


@require_POST
@erp_view("erp.catalog", Access.EDIT)
def import_start(request, job_id: int):
    """Import a checked file with the mapping it was checked with."""
    job = _job(request, job_id)
    blocked = _gate(request, job)
    if blocked:
        return blocked
    with suppress(CrmError):  # already started (a double click): the progress page tells where it is
        services.import_job_start(job=job, mapping=job.mapping, actor=request.user)
    return redirect("erp_import_progress", job_id=job.pk)


@erp_view("erp.catalog")
def import_report(request, job_id: int):
    job = _job(request, job_id)
    return render(request, "erp/imports/report.html", {
        "job": job, "can_remap": job.state == State.FAILED and membership_allows(request.membership, "erp",
                                                                                  Access.EDIT)})


@erp_view("erp.catalog")
def import_sample(request, target: str):
    """A small file with the columns an import of ``target`` reads, in Vietnamese as most files are."""
    if target not in SAMPLES:
        raise Http404
    headers, rows = SAMPLES[target]
    response = HttpResponse(b"".join(csv_stream(headers, iter(rows))), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{target}-sample.csv"'
    return response


urlpatterns = [
    path("", import_list, name="erp_import_list"),
    path("upload/", import_upload, name="erp_import_upload"),
    path("samples/<slug:target>.csv", import_sample, name="erp_import_sample"),
    path("<int:job_id>/mapping/", import_mapping, name="erp_import_mapping"),
    path("<int:job_id>/progress/", import_progress, name="erp_import_progress"),
    path("<int:job_id>/status/", import_status, name="erp_import_status"),
    path("<int:job_id>/preview/", import_preview, name="erp_import_preview"),
    path("<int:job_id>/start/", import_start, name="erp_import_start"),
    path("<int:job_id>/report/", import_report, name="erp_import_report"),
]
