"""Company details: validated tax code, printed as the seller on documents, edited by ERP editors only."""

import pytest

from modules.erp.common.company import company_profile_update
from modules.erp.errors import ErpError
from modules.erp.sales import selectors
from modules.erp.sales.pdf import pdf_document
from tests.conftest import client_for
from tests.crm.factories import PartyFactory
from tests.erp.factories import goods, order


def test_the_seller_block_prints_the_legal_name_tax_code_and_address(in_a):
    # given
    owner = in_a.users["owner"]
    company_profile_update(actor=owner, legal_name="Công ty TNHH An Phát", tax_code="0100233488",
                           address="12 Lý Thường Kiệt, Hà Nội")
    quotation = order(owner, [(goods(owner), 1)], confirm=False)
    # when
    document = pdf_document(order=quotation, lines=selectors.order_lines(quotation), seller_name="alpha",
                            address="", lang="vi")
    # then
    assert document.seller == ["Công ty TNHH An Phát", "Mã số thuế: 0100233488", "Địa chỉ: 12 Lý Thường Kiệt, Hà Nội"]


def test_without_details_the_workspace_name_is_printed(in_a):
    quotation = order(in_a.users["owner"], [(goods(in_a.users["owner"]), 1)], party=PartyFactory(), confirm=False)
    document = pdf_document(order=quotation, lines=selectors.order_lines(quotation), seller_name="Workspace alpha",
                            address="", lang="en")
    assert document.seller == ["Workspace alpha"]


def test_a_wrong_tax_code_is_refused(in_a):
    with pytest.raises(ErpError) as error:
        company_profile_update(actor=in_a.users["owner"], tax_code="0100233487")
    assert (error.value.code, error.value.field) == ("invalid_tax_code", "tax_code")


def test_the_page_saves_for_an_editor_and_shows_field_errors(ws_a):
    # given
    client = client_for(ws_a, ws_a.users["owner"])
    # when
    bad = client.post("/erp/company/", {"legal_name": "An Phát", "tax_code": "123"})
    good = client.post("/erp/company/", {"legal_name": "An Phát", "tax_code": "0100233488"})
    # then
    assert bad.status_code == 400 and "tax_code" in bad.context["form"].errors
    assert bad.context["form"]["legal_name"].value() == "An Phát"
    assert good.status_code == 302


def test_a_viewer_sees_the_details_without_a_form(ws_a):
    response = client_for(ws_a, ws_a.users["viewer"]).get("/erp/company/")
    assert response.status_code == 200 and b'data-testid="company-empty"' in response.content
    assert b"form-grid" not in response.content
