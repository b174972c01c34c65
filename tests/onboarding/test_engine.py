"""The recommendation engine against the seed's tables: one case per row of tables 4.1-4.6 and per pain
point of section 3. Each case checks the tier, the phase order and the rule cited."""

import pytest

from onboarding import rules
from onboarding.engine import Answers, recommend

CRM_FIRST = [["crm"], ["erp_operations"], ["erp_finance", "integration"]]
ERP_FIRST = [["erp_operations"], ["erp_finance"], ["crm", "integration"]]
TOGETHER = [["crm", "erp_operations", "integration"], ["erp_finance"], ["analytics"]]

# (business type, characteristic row, expected tier, expected phases) — every row of tables 4.1-4.5.
TYPE_ROWS = [
    ("sme", "4.1.1", "starter", CRM_FIRST),
    ("sme", "4.1.2", "starter", CRM_FIRST),
    ("sme", "4.1.3", "starter", CRM_FIRST),
    ("sme", "4.1.4", "starter", CRM_FIRST),
    ("manufacturing", "4.2.1", "growth", ERP_FIRST),
    ("manufacturing", "4.2.2", "growth", ERP_FIRST),
    ("manufacturing", "4.2.3", "growth", ERP_FIRST),
    ("manufacturing", "4.2.4", "growth", ERP_FIRST),
    ("services", "4.3.1", "starter", CRM_FIRST),
    ("services", "4.3.2", "starter", CRM_FIRST),
    ("services", "4.3.3", "starter", CRM_FIRST),
    ("services", "4.3.4", "scale", CRM_FIRST),  # "CRM + ERP": customers and staff together
    ("ecommerce", "4.4.1", "scale", TOGETHER),
    ("ecommerce", "4.4.2", "scale", TOGETHER),
    ("ecommerce", "4.4.3", "scale", TOGETHER),
    ("ecommerce", "4.4.4", "scale", TOGETHER),
    ("enterprise", "4.5.1", "enterprise", TOGETHER),
    ("enterprise", "4.5.2", "enterprise", TOGETHER),
    ("enterprise", "4.5.3", "enterprise", TOGETHER),
    ("enterprise", "4.5.4", "enterprise", TOGETHER),
]


@pytest.mark.parametrize(("business_type", "row", "tier", "phases"), TYPE_ROWS)
def test_every_row_of_tables_4_1_to_4_5(business_type, row, tier, phases):
    # when: a startup of that type says the row describes it
    result = recommend(Answers(business_type=business_type, stage="startup", characteristics=(row,)))
    # then
    assert result["tier"] == tier
    assert result["phases"] == phases
    assert row in result["rules"]
    assert rules.TYPE_RULES[business_type]["id"] in result["rules"]


@pytest.mark.parametrize(("stage", "tier", "rule"), [
    ("startup", "starter", "4.6.1"), ("growth", "growth", "4.6.2"),
    ("expansion", "scale", "4.6.3"), ("mature", "enterprise", "4.6.4"),
])
def test_every_row_of_table_4_6(stage, tier, rule):
    result = recommend(Answers(business_type="sme", stage=stage))
    assert result["tier"] == tier
    assert result["phases"] == CRM_FIRST
    assert rule in result["rules"]


ERP_PAINS = [pain["id"] for pain in rules.PAIN_RULES if pain["side"] == "erp"]
CRM_PAINS = [pain["id"] for pain in rules.PAIN_RULES if pain["side"] == "crm"]


@pytest.mark.parametrize("pain", ERP_PAINS)
def test_each_erp_pain_puts_erp_first(pain):
    result = recommend(Answers(business_type="other", stage="startup", pains=(pain,)))
    assert (result["tier"], result["phases"]) == ("growth", ERP_FIRST)
    assert pain in result["rules"]


@pytest.mark.parametrize("pain", CRM_PAINS)
def test_each_crm_pain_puts_crm_first(pain):
    result = recommend(Answers(business_type="other", stage="startup", pains=(pain,)))
    assert (result["tier"], result["phases"]) == ("starter", CRM_FIRST)
    assert pain in result["rules"]


def test_as_many_pains_on_each_side_means_both_together():
    result = recommend(Answers(business_type="other", stage="growth", pains=(ERP_PAINS[0], CRM_PAINS[0])))
    assert (result["tier"], result["phases"]) == ("scale", TOGETHER)


def test_no_answer_beyond_the_type_starts_with_crm():
    result = recommend(Answers(business_type="other", stage="startup"))
    assert (result["tier"], result["phases"]) == ("starter", CRM_FIRST)
    assert result["rules"][0] == "3"


def test_the_business_type_decides_the_order_over_the_pains():
    # a manufacturer with only CRM pains still rolls out ERP first (4.2), with CRM pains cited
    result = recommend(Answers(business_type="manufacturing", stage="growth", pains=tuple(CRM_PAINS[:3])))
    assert result["phases"] == ERP_FIRST
    assert set(CRM_PAINS[:3]) <= set(result["rules"])


@pytest.mark.parametrize(("headcount", "branches", "multinational", "tier", "rule"), [
    (4, 1, False, "growth", "tier.seats.growth"),
    (16, 1, False, "scale", "tier.seats.scale"),
    (60, 1, False, "enterprise", "tier.seats.enterprise"),
    (2, 3, False, "enterprise", "tier.branches"),
    (2, 1, True, "scale", "4.5.2"),
])
def test_size_rules_raise_the_tier(headcount, branches, multinational, tier, rule):
    result = recommend(Answers(business_type="sme", stage="startup", headcount=headcount, branches=branches,
                               multinational=multinational))
    assert result["tier"] == tier
    assert rule in result["rules"]


def test_every_reason_is_given_in_vietnamese_and_english():
    result = recommend(Answers(business_type="ecommerce", stage="expansion", characteristics=("4.4.1", "4.4.3"),
                               pains=(ERP_PAINS[1], CRM_PAINS[2]), headcount=20))
    assert all(reason["vi"] and reason["en"] and reason["rule"] for reason in result["reasons"])


def test_a_row_of_another_type_is_ignored():
    result = recommend(Answers(business_type="sme", stage="startup", characteristics=("4.2.1",)))
    assert "4.2.1" not in result["rules"]
    assert result["tier"] == "starter"


def test_each_rule_is_cited_once():
    result = recommend(Answers(business_type="manufacturing", stage="startup", characteristics=("4.2.1",)))
    assert len(result["rules"]) == len(set(result["rules"]))
