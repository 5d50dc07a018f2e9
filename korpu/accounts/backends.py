"""Authentication backend that refuses locked and inactive accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class ThrottledModelBackend(ModelBackend):
    """Django's model backend; a locked account cannot authenticate even with the right password."""

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "is_locked", None) and user.is_locked():
            return False
        return super().user_can_authenticate(user)
