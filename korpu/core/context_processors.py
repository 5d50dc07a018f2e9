"""Template context every page needs: the user's roles and what the navigation may show."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from korpu import __version__
from korpu.core import access


def korpu(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "korpu_version": __version__,
        "korpu_demo": settings.MODE == "demo",
        "nav": {
            "accounts": access.can_manage_accounts(user),
            "audit": access.can_view_audit(user),
            "cases": access.can_see_victim_data(user),
            "justice": access.can_decide_status(user) or access.can_view_statistics(user),
        },
    }
