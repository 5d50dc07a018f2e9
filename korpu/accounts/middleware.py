"""Account-level request concerns: logging out a session that has been idle too long."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from korpu.accounts.actions import logout_recorded
from korpu.core import audit
from korpu.core.middleware import Handler, client_ip, with_next


class IdleTimeoutMiddleware:
    """Log out a session idle for longer than KORPU_SESSION_IDLE_MINUTES."""

    SESSION_KEY = "korpu_last_seen"
    RESOLUTION_SECONDS = 60

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.SESSION_KEY)
            if last_seen is not None and now - int(last_seen) > settings.SESSION_IDLE_MINUTES * 60:
                token = audit.set_context(audit.RequestContext(actor=user, ip_address=client_ip(request)))
                try:
                    logout_recorded(user=user, reason="idle")
                finally:
                    audit.reset_context(token)
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, _("You were logged out after a period of inactivity."))
                return HttpResponseRedirect(with_next(reverse("accounts:login"), request.path))
            # Stored at most once a minute: writing it on every request would save the session (a
            # database or Redis write) on every page view for a timeout measured in minutes.
            if last_seen is None or now - int(last_seen) >= self.RESOLUTION_SECONDS:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)
