"""Accounting forms: choosing the chart, the lock date, a branch, and the manual journal entry (a header and
a formset of lines, prefix ``lines``). Input parsing only: the posting service checks balance, dates and
accounts."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.erp.accounting.models import Account, AccountingSettings, Branch
from modules.parties.models import Party

LINES_PREFIX = "lines"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHART_HELP = {
    AccountingSettings.Chart.TT99: _("The regime for most companies, in force from 2026 (it replaces Circular "
                                     "200)."),
    AccountingSettings.Chart.TT133: _("For small and medium-sized firms that keep the simplified regime."),
}


class ChartForm(forms.Form):
    chart = forms.ChoiceField(label=_("Chart of accounts"), choices=AccountingSettings.Chart.choices,
                              widget=forms.RadioSelect, initial=AccountingSettings.Chart.TT99)


class LockDateForm(forms.Form):
    lock_date = forms.DateField(label=_("Lock date"), required=False, widget=DATE,
                                help_text=_("Nothing dated on or before this day can be posted. Leave empty to "
                                            "unlock."))


class BranchForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)


class EntryForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    memo = forms.CharField(label=_("Description"), max_length=255,
                           error_messages={"required": _("Say what this entry records.")})
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none(), required=False)

    def __init__(self, *args, branches: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if branches:
            self.fields["branch"].queryset = Branch.objects.filter(is_active=True)
        else:
            del self.fields["branch"]


def _party(text: str) -> Party | None:
    """A party named by its tax code or its exact name (an ambiguous name asks for the tax code)."""
    text = text.strip()
    parties = Party.objects.filter(is_active=True, merged_into=None)
    found = list(parties.filter(Q(tax_code=text) | Q(name__iexact=text))[:2])
    if len(found) > 1:
        raise forms.ValidationError(_("Several parties have this name: type the tax code."))
    if not found:
        raise forms.ValidationError(_("No customer or supplier with this name or tax code."))
    return found[0]


class EntryLineForm(forms.Form):
    """One line: an account code, a debit or a credit, optionally a party and a label. A row without account and
    amounts is blank and ignored."""

    account = forms.CharField(label=_("Account"), max_length=20, required=False,
                              widget=forms.TextInput(attrs={"list": "postable-accounts", "size": 8,
                                                            "autocomplete": "off"}))
    debit = forms.DecimalField(label=_("Debit"), max_digits=18, decimal_places=0, min_value=0, required=False,
                               widget=forms.NumberInput(attrs={"step": "1", "min": "0"}))
    credit = forms.DecimalField(label=_("Credit"), max_digits=18, decimal_places=0, min_value=0, required=False,
                                widget=forms.NumberInput(attrs={"step": "1", "min": "0"}))
    party = forms.CharField(label=_("Customer or supplier"), max_length=255, required=False,
                            widget=forms.TextInput(attrs={"placeholder": _("Tax code or name")}))
    label = forms.CharField(label=_("Label"), max_length=255, required=False)

    def __init__(self, *args, accounts: dict[str, Account] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = accounts or {}

    def clean_account(self):
        code = (self.cleaned_data.get("account") or "").strip().split(" ")[0]
        if code and code not in self.accounts:
            raise forms.ValidationError(_("No detail account %(code)s in the chart: choose one from the list.")
                                        % {"code": code})
        return code

    def clean_party(self):
        text = self.cleaned_data.get("party") or ""
        return _party(text) if text.strip() else None

    def clean(self):
        data = super().clean()
        debit, credit = data.get("debit") or Decimal(0), data.get("credit") or Decimal(0)
        data["blank"] = not data.get("account") and not debit and not credit and "account" not in self.errors
        if data["blank"]:
            return data
        if not data.get("account") and "account" not in self.errors:
            self.add_error("account", _("Choose an account."))
        if debit and credit:
            self.add_error("credit", _("A line is either a debit or a credit, not both."))
        elif not debit and not credit and "debit" not in self.errors and "credit" not in self.errors:
            self.add_error("debit", _("Enter a debit or a credit."))
        data["amount"] = debit - credit
        return data


EntryLineFormSet = forms.formset_factory(EntryLineForm, extra=2, min_num=2)


def entry_line_formset(data=None, *, accounts: dict[str, Account], initial=None) -> forms.BaseFormSet:
    return EntryLineFormSet(data, initial=initial, prefix=LINES_PREFIX, form_kwargs={"accounts": accounts})
