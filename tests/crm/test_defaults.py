from modules.crm.models import BusinessHours, CrmSettings, LeadSource, Pipeline, ScoringRule, SlaPolicy


def test_every_workspace_starts_with_a_working_crm(in_a):
    pipeline = Pipeline.objects.get(is_default=True)
    assert [stage.kind for stage in pipeline.stages.all()] == ["open"] * 4 + ["won", "lost"]
    assert LeadSource.objects.filter(code="referral").exists()
    assert ScoringRule.objects.count() == 6
    assert SlaPolicy.objects.count() == 4
    assert BusinessHours.objects.count() == 6
    assert CrmSettings.objects.count() == 1
