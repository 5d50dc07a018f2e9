"""`korpu demo`: synthetic demo data on embedded SQLite, and the printed logins.

Passwords are random per installation and kept (mode 0600) in ``var/demo-credentials.json``;
each demo user has a TOTP device whose current code ``korpu demo --codes`` prints. This path
exists only in demo mode; production accounts always enrol their own device.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django_otp.oath import totp

from korpu.accounts.demo import USERS, build_cast, totp_device
from korpu.accounts.models import User


def credentials_path() -> Path:
    return settings.VAR_DIR / "demo-credentials.json"


def ensure_demo_data() -> bool:
    """Load the demo data once. Returns False when it is already there."""
    if settings.MODE not in ("demo", "development"):
        raise RuntimeError("demo data is only loaded in demo mode (KORPU_MODE=demo)")
    if User.objects.filter(username=USERS[0].username).exists():
        return False
    password = "Demo-" + secrets.token_urlsafe(9)
    from korpu.cases import demo as cases_demo
    from korpu.engagement import demo as engagement_demo
    from korpu.linkage import demo as linkage_demo
    from korpu.plan import demo as plan_demo
    from korpu.shelters import demo as shelters_demo

    with transaction.atomic():
        build_cast(password=password)
        shelters_demo.load()
        cases_demo.load()
        linkage_demo.load()
        plan_demo.load()
        engagement_demo.load()
    path = credentials_path()
    path.write_text(json.dumps({"password": password}))
    path.chmod(0o600)
    return True


def print_logins(console: Any) -> None:
    from rich.table import Table

    try:
        password = json.loads(credentials_path().read_text())["password"]
    except (OSError, ValueError, KeyError):
        console.print("[red]No demo credentials found; run `korpu demo --reset`.[/red]")
        return
    table = Table(title="Demo logins (synthetic people; the same password for every demo user)")
    for column in ("username", "role", "organisation", "TOTP code now"):
        table.add_column(column)
    for spec in USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            continue
        device = totp_device(user)
        code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        membership = user.active_memberships()[0]
        table.add_row(spec.username, str(membership.get_role_display()), membership.organisation.name, code)
    console.print(table)
    console.print(f"Password for every demo user: [bold]{password}[/bold]")
    console.print("TOTP codes change every 30 seconds: `korpu demo --codes` prints fresh ones. "
                  f"Authenticator-app URIs: {settings.VAR_DIR / 'demo-otpauth.txt'}")
    lines = [f"{spec.username}: {totp_device(User.objects.get(username=spec.username)).config_url}"
             for spec in USERS if User.objects.filter(username=spec.username).exists()]
    uri_path = settings.VAR_DIR / "demo-otpauth.txt"
    uri_path.write_text("\n".join(lines) + "\n")
    uri_path.chmod(0o600)
