"""CRM models, one file per area; all live in each workspace's schema."""

from modules.crm.models.activities import Activity, Notification
from modules.crm.models.campaigns import Campaign, CampaignCost
from modules.crm.models.deals import Deal, DealLine, DealStageChange, LostReason, Pipeline, Stage
from modules.crm.models.imports import ImportJob
from modules.crm.models.leads import Lead, LeadSource, ScoringRule
from modules.crm.models.settings import CrmSettings
from modules.crm.models.teams import Quota, SalesTeam, TeamMember
from modules.crm.models.tickets import BusinessHours, Holiday, SlaPolicy, Ticket, TicketCategory, TicketEvent

__all__ = [
    "Activity", "BusinessHours", "Campaign", "CampaignCost", "CrmSettings", "Deal", "DealLine", "DealStageChange",
    "Holiday", "ImportJob", "Lead", "LeadSource", "LostReason", "Notification", "Pipeline", "Quota", "SalesTeam",
    "ScoringRule", "SlaPolicy", "Stage", "TeamMember", "Ticket", "TicketCategory", "TicketEvent",
]
