"""The kernel's vocabulary of who is who: organisation types and roles.

They live in the kernel so that ``korpu.core.access`` can state the rules without importing a
domain app; ``korpu.accounts.models`` stores them (``Organisation.Type`` is :class:`OrganisationType`,
``Membership.role`` one of :class:`Role`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    # HTCDS 2.0 org_Type picklist, then the two kinds the national system adds.
    NGO = "NGO", _("Non-governmental organisation")
    LAW_ENFORCEMENT = "LawEnforcement", _("Law enforcement")
    HEALTH_SERVICE = "HealthServiceOrganisation", _("Health service")
    CENTRAL_GOVERNMENT = "CentralGovernmentOrganisation", _("Central government body")
    LOCAL_GOVERNMENT = "LocalGovernmentOrganisation", _("Local government body")
    IMMIGRATION_SERVICE = "ImmigrationService", _("Immigration service")
    LEGAL_SERVICE = "LegalService", _("Legal service")
    CORPORATE_BUSINESS = "CorporateBusiness", _("Business")
    SCHOOL_OR_COLLEGE = "SchoolOrCollege", _("School or college")
    NATIONAL_COORDINATOR = "NationalCoordinator", _("National Coordinator")
    INTERNATIONAL = "InternationalOrganisation", _("International organisation")


class Role(models.TextChoices):
    """The roles of the architecture table; what each may do is decided in ``korpu.core.access``."""

    POLICE_INVESTIGATOR = "police_investigator", _("Police investigator")
    NGO_CASE_WORKER = "ngo_case_worker", _("NGO case worker")
    SHELTER_MANAGER = "shelter_manager", _("Shelter manager")
    COORDINATOR_ANALYST = "coordinator_analyst", _("National Coordinator analyst")
    PLAN_FOCAL_POINT = "plan_focal_point", _("Plan focal point")
    COALITION_COORDINATOR = "coalition_coordinator", _("Coalition coordinator")
    AUDITOR = "auditor", _("Auditor")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("System administrator")
