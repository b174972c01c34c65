"""The quotation / order PDF, in Vietnamese or English (``?lang=vi|en``, else the reader's language)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import get_language

from modules.erp.sales import selectors
from modules.erp.sales.pdf import pdf_document, pdf_render
from modules.erp.sales.views._common import FEATURE
from modules.erp.views_common import erp_view


def document_language(request) -> str:
    lang = request.GET.get("lang") or getattr(request, "LANGUAGE_CODE", "") or get_language() or "vi"
    return "en" if lang.startswith("en") else "vi"


@erp_view(FEATURE)
def order_pdf(request, pk: int):
    order = selectors.order_for_detail(pk)
    address = order.party.addresses.order_by("-is_primary", "pk").first()
    document = pdf_document(order=order, lines=selectors.order_lines(order), seller_name=request.tenant.name,
                            address=str(address) if address else "", lang=document_language(request))
    response = HttpResponse(pdf_render(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}-{document.lang}.pdf"'
    return response


urlpatterns = [
    path("<int:pk>/pdf/", order_pdf, name="sales_order_pdf"),
]
