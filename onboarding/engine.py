"""The recommendation engine: answers in, a tier, a rollout order in three phases, and the reasons, each
citing the seed rule that produced it. All knowledge is in onboarding/rules.py; this file only combines.

How the rules combine:
- order: the business type's table (4.1-4.5) decides; for "other", the pain points of section 3 decide
  (more ERP pains: ERP first; more CRM pains: CRM first; as many of each: both; none: CRM first).
- tier: the highest of the growth stage (4.6), the type's floor, the size rules, and what the order needs
  (ERP in the mix needs at least Growth, ERP and CRM integrated needs at least Scale).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onboarding import rules


@dataclass(frozen=True)
class Answers:
    business_type: str
    stage: str
    headcount: int = 1
    branches: int = 1
    multinational: bool = False
    characteristics: tuple[str, ...] = ()
    pains: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict) -> Answers:
        return cls(business_type=data.get("business_type", "other"), stage=data.get("stage", "startup"),
                   headcount=int(data.get("headcount") or 1), branches=int(data.get("branches") or 1),
                   multinational=bool(data.get("multinational")),
                   characteristics=tuple(data.get("characteristics") or ()), pains=tuple(data.get("pains") or ()))


@dataclass
class _Draft:
    tier: str = "starter"
    reasons: list[dict] = field(default_factory=list)

    def cite(self, rule_id: str, vi: str, en: str, effect: str) -> None:
        cited = next((reason for reason in self.reasons if reason["rule"] == rule_id), None)
        if cited is not None:  # one line per rule, listing everything it decided
            cited["effect"] += f",{effect}"
            return
        self.reasons.append({"rule": rule_id, "vi": vi, "en": en, "effect": effect})

    def raise_tier(self, tier: str, rule_id: str, vi: str, en: str) -> None:
        if rules.TIER_ORDER.index(tier) > rules.TIER_ORDER.index(self.tier):
            self.tier = tier
            self.cite(rule_id, vi, en, f"tier:{tier}")


def recommend(answers: Answers) -> dict:
    type_rule = rules.TYPE_RULES.get(answers.business_type, rules.TYPE_RULES["other"])
    rows = {row["id"]: row for row in rules.CHARACTERISTIC_RULES if row["type"] == answers.business_type}
    chosen_rows = [rows[rule_id] for rule_id in answers.characteristics if rule_id in rows]
    pains = [pain for pain in rules.PAIN_RULES if pain["id"] in answers.pains]
    erp_pains = [pain for pain in pains if pain["side"] == rules.ERP]
    crm_pains = [pain for pain in pains if pain["side"] == rules.CRM]
    draft = _Draft()

    # The rollout order.
    order = type_rule["order"]
    if order is None:
        order = (rules.ERP if len(erp_pains) > len(crm_pains) else rules.CRM if len(crm_pains) > len(erp_pains)
                 else rules.BOTH if erp_pains else rules.CRM)
    draft.cite(type_rule["id"], type_rule["vi"], type_rule["en"], f"order:{order}")
    for row in chosen_rows:
        draft.cite(row["id"], f"{row['vi']} → {row['choice'].upper()}: {row['reason_vi']}", row["en"],
                   f"needs:{row['choice']}")
    for pain in pains:
        draft.cite(pain["id"], pain["vi"], pain["en"], f"needs:{pain['side']}")

    # The tier.
    stage = rules.STAGE_RULES.get(answers.stage, rules.STAGE_RULES["startup"])
    draft.tier = stage["tier"]
    draft.cite(stage["id"], stage["vi"], stage["en"], f"tier:{stage['tier']}")
    draft.raise_tier(type_rule["tier_floor"], type_rule["id"], type_rule["vi"], type_rule["en"])
    needs = {row["choice"] for row in chosen_rows} | {pain["side"] for pain in erp_pains} | {order}
    if rules.BOTH in needs:
        draft.raise_tier("scale", "4.6.3", rules.STAGE_RULES["expansion"]["vi"], rules.STAGE_RULES["expansion"]["en"])
    elif rules.ERP in needs:
        draft.raise_tier("growth", "4.6.2", rules.STAGE_RULES["growth"]["vi"], rules.STAGE_RULES["growth"]["en"])
    for size in rules.SIZE_RULES:
        name, threshold = size["when"]
        if int(getattr(answers, name)) >= threshold:
            draft.raise_tier(size["tier"], size["id"], size["vi"], size["en"])

    return {
        "tier": draft.tier,
        "order": order,
        "phases": rules.PHASES[order],
        "reasons": draft.reasons,
        "rules": [reason["rule"] for reason in draft.reasons],
    }
