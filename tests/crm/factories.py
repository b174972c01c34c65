"""Factories for CRM tests. Use them inside a workspace's schema (``in_schema`` fixture)."""

from decimal import Decimal

import factory

from modules.crm.models import Activity, Campaign, Deal, Lead, Pipeline, SalesTeam, Stage, TeamMember, Ticket
from modules.parties.models import Party


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    name = factory.Sequence(lambda n: f"Công ty {n}")
    kind = Party.Kind.ORGANIZATION
    is_customer = True


class PersonFactory(PartyFactory):
    name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    kind = Party.Kind.PERSON


def default_pipeline() -> Pipeline:
    return Pipeline.objects.get(is_default=True)


def stage(kind: str = "open", position: int = 0) -> Stage:
    stages = default_pipeline().stages.filter(kind=kind).order_by("position")
    return stages[position] if kind == "open" else stages.first()


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    title = factory.Sequence(lambda n: f"Hợp đồng {n}")
    party = factory.SubFactory(PartyFactory)
    pipeline = factory.LazyFunction(default_pipeline)
    stage = factory.LazyAttribute(lambda deal: deal.pipeline.stages.filter(kind="open").order_by("position").first())
    value = Decimal(10_000_000)


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    name = factory.Sequence(lambda n: f"Trần Thị {n}")
    company = factory.Sequence(lambda n: f"Cửa hàng {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    subject = factory.Sequence(lambda n: f"Gọi lại khách {n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Chiến dịch {n}")
    utm_campaign = factory.Sequence(lambda n: f"campaign-{n}")


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    subject = factory.Sequence(lambda n: f"Sự cố {n}")
    party = factory.SubFactory(PartyFactory)


class SalesTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesTeam

    name = factory.Sequence(lambda n: f"Nhóm {n}")


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    team = factory.SubFactory(SalesTeamFactory)
