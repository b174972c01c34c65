"""Forms for leads, deals and activities (validation only; services write)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.crm.models import Activity, Deal, Lead, LostReason, SalesTeam, Stage
from modules.parties.models import Party
from tenants.models import Membership

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def member_choices(tenant) -> list[tuple[int, str]]:
    return [(user_id, email) for user_id, email in Membership.objects.filter(tenant=tenant, is_active=True)
            .order_by("user__email").values_list("user_id", "user__email")]


class OwnerChoiceMixin:
    """An owner field listing the workspace's members (users live in the public schema)."""

    def set_owner_choices(self, tenant, required: bool = False):
        self.fields["owner"] = forms.TypedChoiceField(
            label=_("Owner"), coerce=int, required=required, empty_value=None,
            choices=[("", "—"), *member_choices(tenant)])


class LeadForm(OwnerChoiceMixin, forms.ModelForm):
    assign_round_robin = forms.BooleanField(label=_("Assign in turn within the team"), required=False)

    class Meta:
        model = Lead
        fields = ["name", "company", "email", "phone", "tax_code", "source", "campaign", "status", "estimated_value",
                  "team", "notes"]

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_owner_choices(tenant)
        self.initial.setdefault("owner", self.instance.owner_id)
        self.fields["status"].choices = [c for c in Lead.Status.choices if c[0] != Lead.Status.CONVERTED]


class DealForm(OwnerChoiceMixin, forms.ModelForm):
    class Meta:
        model = Deal
        fields = ["title", "party", "contact", "pipeline", "stage", "value", "currency", "expected_close", "team",
                  "campaign"]
        widgets = {"expected_close": DATE}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_owner_choices(tenant)
        self.initial.setdefault("owner", self.instance.owner_id)
        self.fields["party"].queryset = Party.objects.filter(is_active=True)
        self.fields["contact"].queryset = Party.objects.filter(is_active=True, kind=Party.Kind.PERSON)
        self.fields["stage"].queryset = Stage.objects.select_related("pipeline").filter(kind=Stage.Kind.OPEN)
        self.fields["team"].queryset = SalesTeam.objects.all()

    def clean(self):
        cleaned = super().clean()
        stage, pipeline = cleaned.get("stage"), cleaned.get("pipeline")
        if stage and pipeline and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", _("This stage belongs to another pipeline."))
        return cleaned


class LostForm(forms.Form):
    reason = forms.ModelChoiceField(label=_("Why was it lost?"), queryset=LostReason.objects.all())
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=Stage.objects.all())
    position = forms.IntegerField(required=False, min_value=0)


class ActivityForm(OwnerChoiceMixin, forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["kind", "subject", "body", "due_at", "remind_at", "party", "lead", "deal"]
        widgets = {"due_at": DATETIME, "remind_at": DATETIME, "party": forms.HiddenInput, "lead": forms.HiddenInput,
                   "deal": forms.HiddenInput}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_owner_choices(tenant)
        for name in ("due_at", "remind_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]


class PipelineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    stages = forms.CharField(label=_("Open stages, one per line: name, probability %"), widget=forms.Textarea,
                             initial="Mới, 10\nĐủ điều kiện, 30\nĐề xuất, 60\nĐàm phán, 80")

    def clean_stages(self):
        stages = []
        for number, line in enumerate(self.cleaned_data["stages"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, probability = line.rpartition(",")
            try:
                value = int(probability.strip())
            except ValueError:
                raise forms.ValidationError(_("Line %(n)d: write “name, probability”.") % {"n": number}) from None
            if not name.strip() or not 0 <= value <= 100:
                raise forms.ValidationError(_("Line %(n)d: a name and a probability from 0 to 100.") % {"n": number})
            stages.append((name.strip(), value))
        if not stages:
            raise forms.ValidationError(_("Add at least one stage."))
        return stages


class DealLineForm(forms.Form):
    """A line: a catalog product (its SKU; on plans with the catalog) or a free description, with a price.
    A product line may leave the description and the price blank: the product's name and its price for the
    deal's customer fill them in."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=None, to_field_name="sku", required=False,
                                     widget=forms.TextInput(attrs={"list": "deal-products", "autocomplete": "off",
                                                                   "placeholder": _("SKU")}),
                                     error_messages={"invalid_choice": _("No active product has this SKU.")})
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=14, decimal_places=3, required=False)
    unit_price = forms.DecimalField(label=_("Unit price"), min_value=0, max_digits=16, decimal_places=2,
                                    required=False)

    def __init__(self, *args, catalog: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if catalog:
            from modules.erp.catalog.models import Product

            self.fields["product"].queryset = Product.objects.filter(is_active=True)
        else:
            del self.fields["product"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("product") is not None or self.errors.get("product"):
            return cleaned
        if cleaned.get("description") and cleaned.get("unit_price") is None:
            self.add_error("unit_price", _("Give the unit price."))
        if not cleaned.get("description") and cleaned.get("unit_price") is not None:
            self.add_error("description", _("Describe the item."))
        return cleaned

    def line(self) -> dict | None:
        """The line for ``deal_set_lines``, or None for an empty row."""
        row = self.cleaned_data
        product = row.get("product")
        if product is None and not row.get("description"):
            return None
        return {"product": product, "description": row.get("description") or "",
                "quantity": row.get("quantity") or 1, "unit_price": row.get("unit_price")}


DealLineFormSet = forms.formset_factory(DealLineForm, extra=3)


class StageForm(forms.Form):
    stage_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Stage"), max_length=80, required=False)
    probability = forms.IntegerField(label=_("Probability %"), min_value=0, max_value=100, required=False)
    remove = forms.BooleanField(label=_("Remove"), required=False)


StageFormSet = forms.formset_factory(StageForm, extra=2)
