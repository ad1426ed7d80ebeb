"""Annotator accounts through Label Studio's invite flow, over HTTP only.

An account made by the admin API cannot log in (its password is ignored), and ``label-studio
init`` makes superusers; the invite flow makes ordinary members:

1. the admin asks ``GET /api/invite`` for the organisation's invite token;
2. a fresh session opens the signup page (for its CSRF cookie) and posts the email and a random
   password to ``/user/signup/?token=…``; a redirect means the account exists and is logged in;
3. a member who logs in (:func:`log_in`) can read their own API token (:func:`own_token`).

Passwords are returned to the caller (hidden from repr), never logged.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from annotate.errors import LabelStudioError
from annotate.labelstudio.client import Client

TIMEOUT = 60.0


@dataclass(frozen=True)
class NewMember:
    """An account just made: its login (the password hidden from repr)."""

    email: str
    user_id: int
    password: str = field(repr=False)


@dataclass(frozen=True)
class Member:
    """A member of the organisation and what they have done across its projects."""

    user_id: int
    email: str
    annotations: int = 0
    skipped: int = 0
    projects: int = 0
    last_activity: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "email": self.email,
            "annotations": self.annotations,
            "skipped": self.skipped,
            "projects": self.projects,
            "last_activity": self.last_activity,
        }


def users(client: Client) -> list[dict[str, Any]]:
    """Every user of the organisation, as the API lists them."""
    found = client.get_json("/api/users/")
    items = found.get("results", []) if isinstance(found, dict) else found
    return [u for u in items if isinstance(u, dict)]


def user_emails(client: Client) -> dict[int, str]:
    """User id → email (the id when a user has none), for naming annotators."""
    return {int(u["id"]): str(u.get("email") or u["id"]) for u in users(client)}


def invite_token(client: Client) -> str:
    """The organisation's invite token (admin only)."""
    body = client.get_json("/api/invite")
    token = body.get("token") if isinstance(body, dict) else None
    if not token:
        raise LabelStudioError(f"{client.url}: GET /api/invite gave no invite token")
    return str(token)


def sign_up(url: str, email: str, password: str, invite: str | None) -> httpx.Client:
    """Sign ``email`` up (with the invite token when given); returns the logged-in session.

    Raises LabelStudioError when the server refuses (no or wrong invite, taken email, weak
    password); the message names the URL and the email, never the password or the token.
    """
    session = httpx.Client(base_url=url, timeout=TIMEOUT, follow_redirects=False)
    path = f"/user/signup/?token={invite}" if invite else "/user/signup/"
    try:
        session.get(path)
        csrf = session.cookies.get("csrftoken") or ""
        form = {"email": email, "password": password, "csrfmiddlewaretoken": csrf}
        response = session.post(path, data=form, headers={"Referer": f"{url}/user/signup/"})
    except httpx.HTTPError as exc:
        session.close()
        raise LabelStudioError(f"signup of {email} at {url} failed: {type(exc).__name__}") from exc
    if response.status_code != httpx.codes.FOUND:
        session.close()
        raise LabelStudioError(
            f"{url} refused the signup of {email} (HTTP {response.status_code}); "
            f"{_form_error(response.text)}"
        )
    return session


def _form_error(page: str) -> str:
    """The first error the signup page shows, else a generic hint."""
    for marker in ('class="field_errors"', 'class="error"', "errorlist"):
        at = page.find(marker)
        if at >= 0:
            text = page[at : at + 400].split(">", 1)[-1]
            plain = "".join(part.split(">")[-1] for part in text.split("<"))
            return " ".join(plain.split())[:200] or "see the server log"
    return "an invite is needed, or the email is taken"


def log_in(url: str, email: str, password: str) -> httpx.Client:
    """A browser-like session logged in as ``email`` through the login page."""
    session = httpx.Client(base_url=url, timeout=TIMEOUT, follow_redirects=False)
    try:
        session.get("/user/login/")
        form = {
            "email": email,
            "password": password,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken") or "",
        }
        response = session.post(
            "/user/login/", data=form, headers={"Referer": f"{url}/user/login/"}
        )
    except httpx.HTTPError as exc:
        session.close()
        raise LabelStudioError(f"login of {email} at {url} failed: {type(exc).__name__}") from exc
    if response.status_code != httpx.codes.FOUND:
        session.close()
        raise LabelStudioError(f"{url} refused the login of {email} (HTTP {response.status_code})")
    return session


def own_token(session: httpx.Client, email: str) -> str:
    """The API token of the member logged in on ``session``."""
    response = session.get("/api/current-user/token")
    token = response.json().get("token") if response.status_code == httpx.codes.OK else None
    if not token:
        raise LabelStudioError(
            f"{session.base_url}: no API token for {email} (HTTP {response.status_code})"
        )
    return str(token)


def add_member(client: Client, email: str, password: str | None = None) -> NewMember:
    """Make an ordinary (never superuser) account for ``email`` through the invite flow."""
    email = email.strip()
    if "@" not in email or "/" in email or any(c.isspace() for c in email):
        raise LabelStudioError(f"{email!r} is not an email address")
    taken = {str(u.get("email", "")).lower() for u in users(client)}
    if email.lower() in taken:
        raise LabelStudioError(f"{client.url}: {email} is already a member")
    password = password or secrets.token_urlsafe(15)
    session = sign_up(client.url, email, password, invite_token(client))
    try:
        whoami = session.get("/api/current-user/whoami").json()
    except (httpx.HTTPError, ValueError):
        whoami = {}
    finally:
        session.close()
    return NewMember(email, int(whoami.get("id") or 0), password)


def members(client: Client) -> list[Member]:
    """Every member with their submitted and skipped annotations over all projects."""
    done: Counter[int] = Counter()
    skipped: Counter[int] = Counter()
    projects: dict[int, set[int]] = {}
    for project_id in _project_ids(client):
        for annotation in _annotations(client, project_id):
            user = annotation.get("completed_by")
            if not isinstance(user, int):
                continue
            (skipped if annotation.get("was_cancelled") else done)[user] += 1
            projects.setdefault(user, set()).add(project_id)
    return [
        Member(
            int(u["id"]),
            str(u.get("email") or u["id"]),
            done[int(u["id"])],
            skipped[int(u["id"])],
            len(projects.get(int(u["id"]), ())),
            u.get("last_activity"),
        )
        for u in sorted(users(client), key=lambda u: int(u["id"]))
    ]


def _project_ids(client: Client) -> list[int]:
    found = client.get_json("/api/projects/", page_size=1000)
    items = found.get("results", found) if isinstance(found, dict) else found
    return [int(p["id"]) for p in items]


def _annotations(client: Client, project_id: int) -> list[dict[str, Any]]:
    tasks = client.get_json(
        f"/api/projects/{project_id}/export", exportType="JSON", download_all_tasks="false"
    )
    return [a for t in tasks for a in t.get("annotations") or [] if isinstance(a, dict)]
