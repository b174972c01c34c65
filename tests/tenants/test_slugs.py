import pytest
from django.core.exceptions import ValidationError

from tenants.forms import WorkspaceCreateForm
from tenants.slugs import slug_validate


@pytest.mark.parametrize("slug", ["acme", "minh-anh", "shop24", "a1b"])
def test_valid_addresses(slug):
    slug_validate(slug)


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("ab", "slug_length"),
        ("x" * 33, "slug_length"),
        ("1acme", "slug_format"),
        ("acme-", "slug_format"),
        ("ac--me", "slug_format"),
        ("Acme", "slug_format"),
        ("ac_me", "slug_format"),
        ("www", "slug_reserved"),
        ("admin", "slug_reserved"),
        ("api", "slug_reserved"),
        ("pool-1", "slug_reserved"),
    ],
)
def test_invalid_addresses_say_why(slug, code):
    with pytest.raises(ValidationError) as error:
        slug_validate(slug)
    assert error.value.code == code


def test_form_reports_a_taken_address(ws_a):
    # when
    form = WorkspaceCreateForm({"name": "Copy", "slug": "alpha"})
    # then
    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["slug"]] == ["slug_taken"]
