"""API for the coalition: members and their contact people, meetings (agenda, participants, decisions,
photos, files), proposals, campaigns, their events and reach. Mounted at ``/api/v1/engagement/``.

The same scoping queries and actions as the pages (every command of the meeting page has its operation
here): a refused action is a 422 with the reason in the caller's language, something the caller may not
see a 404. Contact people's details come only through ``queries.contacts_of``, which gives them to
logged-in partners alone. Corrections change only the fields sent.

One router (``base.router``), its operations declared by topic: ``members``, ``meetings``,
``proposals`` and ``campaigns``; ``schemas`` holds the output shapes they share."""

from korpu.engagement.api import campaigns, meetings, members, proposals
from korpu.engagement.api.base import router

# Importing the modules declares their operations on the router, in this order in the OpenAPI document.
__all__ = ["campaigns", "meetings", "members", "proposals", "router"]
