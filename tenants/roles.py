"""Roles per membership and the per-module access that later modules plug into.

A module registers itself once (``module_register``); a membership's access to it is the
role's default unless the membership overrides it. Access levels are ordered:
none < view < edit < manage. Viewers never write, whatever an override says.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


class Access(models.IntegerChoices):
    NONE = 0, _("No access")
    VIEW = 1, _("View")
    EDIT = 2, _("Edit")
    MANAGE = 3, _("Manage")


ROLE_DEFAULT_ACCESS = {
    Role.OWNER: Access.MANAGE,
    Role.ADMIN: Access.MANAGE,
    Role.MANAGER: Access.EDIT,
    Role.MEMBER: Access.EDIT,
    Role.VIEWER: Access.VIEW,
}
ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.MANAGER: 2, Role.ADMIN: 3, Role.OWNER: 4}


def roles_grantable_by(role: str) -> list[str]:
    """Roles a person may hand out (with team access to do so): never one above their own."""
    rank = ROLE_RANK[Role(role)]
    return [candidate for candidate in Role if ROLE_RANK[candidate] <= rank]


@dataclass(frozen=True)
class ModuleSpec:
    key: str
    label: str
    # Access a role gets when the role's default is higher than this cap (e.g. settings: manage only).
    default_for_role: dict[str, int] | None = None


MODULES: dict[str, ModuleSpec] = {}


def module_register(*, key: str, label, default_for_role: dict[str, int] | None = None) -> ModuleSpec:
    spec = ModuleSpec(key=key, label=label, default_for_role=default_for_role)
    MODULES[key] = spec
    return spec


def module_access(*, role: str, module: str, overrides: dict | None = None) -> Access:
    """The access a role (with a membership's overrides) has to a module."""
    spec = MODULES.get(module)
    if spec is None:
        return Access.NONE
    if overrides and module in overrides:
        level = Access(int(overrides[module]))
    elif spec.default_for_role and role in spec.default_for_role:
        level = Access(spec.default_for_role[role])
    else:
        level = ROLE_DEFAULT_ACCESS[Role(role)]
    if role == Role.VIEWER:
        return min(level, Access.VIEW)
    return level


# The foundation's own module: the people of a workspace. Members see the team;
# owners and admins manage it.
module_register(
    key="team",
    label=_("Team"),
    default_for_role={Role.MANAGER: Access.VIEW, Role.MEMBER: Access.VIEW, Role.VIEWER: Access.VIEW},
)

# Billing: owners and admins manage it; nobody else sees it unless given access.
module_register(
    key="billing",
    label=_("Billing"),
    default_for_role={Role.MANAGER: Access.NONE, Role.MEMBER: Access.NONE, Role.VIEWER: Access.NONE},
)
module_register(
    key="audit",
    label=_("Audit log"),
    default_for_role={Role.MANAGER: Access.NONE, Role.MEMBER: Access.NONE, Role.VIEWER: Access.NONE},
)

# CRM: members and managers work in it (record rules narrow what they see), viewers read.
module_register(key="crm", label=_("CRM"))

# ERP: the operations modules (catalog, sales, stock...). Same role defaults as the CRM.
module_register(key="erp", label=_("ERP"))
