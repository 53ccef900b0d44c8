"""Who may open the dashboard: optional sign-in with the council's OpenID Connect provider.

Off by default: without an [auth] section in .streamlit/secrets.toml the dashboard is open to
anyone who can reach it (About the data says so). With one, every page asks the person to sign in
with the council's identity provider (Microsoft Entra ID, Google, Okta ...) through Streamlit's
st.login, shows who is signed in with a way to sign out, and lets in only the e-mail addresses
and domains listed in an [access] section of the same file:

    [auth]
    redirect_uri = "https://dashboard.example.gov.uk/oauth2callback"
    cookie_secret = "a long random string"
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://login.example.com/.well-known/openid-configuration"

    [access]
    allowed_domains = ["example.gov.uk"]          # anyone whose e-mail ends @example.gov.uk
    allowed_emails = ["reviewer@healthwatch.example"]

An [auth] section that cannot work (a missing client secret, a provider that does not answer, an
empty allow-list) stops every page with a sentence saying what to fix: the dashboard never serves
unprotected once sign-in was asked for. `make serve` checks the same before it starts.
"""

from __future__ import annotations

import json
import time
import tomllib
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
PROVIDER_TIMEOUT_SECONDS = 5
# A provider's answer (or silence) is remembered this long, so a page run does not ask it every time.
PROVIDER_CHECK_SECONDS = 60.0


@dataclass(frozen=True)
class Settings:
    provider: str | None  # None: the [auth] section's own default provider
    allowed_domains: frozenset[str] = field(default_factory=frozenset)
    allowed_emails: frozenset[str] = field(default_factory=frozenset)
    problem: str = ""  # a sentence: what is wrong with the settings; the dashboard serves nothing then
    metadata_url: str = ""

    def lets_in(self, email: str | None) -> bool:
        if not email or "@" not in email:
            return False
        email = email.strip().lower()
        return email in self.allowed_emails or email.rsplit("@", 1)[1] in self.allowed_domains


def _as_dict(section) -> dict:
    if section is None:
        return {}
    if hasattr(section, "to_dict"):
        return section.to_dict()
    return dict(section) if isinstance(section, Mapping) else {}


def settings_from(secrets: Mapping) -> Settings | None:
    """The sign-in settings in secrets (the parsed secrets.toml), or None when there is no [auth] section.

    Checks everything but the provider's answer (see provider_problem)."""
    auth = _as_dict(secrets.get("auth")) if "auth" in secrets else None
    if auth is None:
        return None
    access = _as_dict(secrets.get("access")) if "access" in secrets else {}

    def listed(key: str) -> frozenset[str]:
        value = access.get(key) or []
        values = [value] if isinstance(value, str) else list(value)
        return frozenset(str(v).strip().lower().lstrip("@") for v in values if str(v).strip())

    domains, emails = listed("allowed_domains"), listed("allowed_emails")
    providers = [name for name, value in auth.items() if isinstance(value, Mapping) and name != "client_kwargs"]
    provider = providers[0] if len(providers) == 1 and not auth.get("client_id") else None
    section = auth[provider] if provider else auth
    where = f"the [auth.{provider}] section" if provider else "the [auth] section"

    def broken(sentence: str) -> Settings:
        return Settings(provider, domains, emails, problem=sentence)

    intro = "Sign-in is switched on (secrets.toml has an [auth] section) but cannot work, so the dashboard shows nothing: "
    missing_shared = [key for key in ("redirect_uri", "cookie_secret") if not auth.get(key)]
    if missing_shared:
        return broken(intro + f"the [auth] section has no {' and no '.join(missing_shared)}.")
    if len(providers) > 1 and not auth.get("client_id"):
        return broken(intro + f"the [auth] section names {len(providers)} providers ({', '.join(sorted(providers))}); "
                      "give the council's one provider only.")
    missing = [key for key in REQUIRED_PROVIDER_KEYS if not section.get(key)]
    if missing:
        return broken(intro + f"{where} has no {', no '.join(missing)}.")
    if not domains and not emails:
        return broken(intro + "no one is allowed in: list e-mail domains (allowed_domains) or addresses "
                      "(allowed_emails) in an [access] section of the same file.")
    try:
        from streamlit.auth_util import is_authlib_installed
    except ImportError:  # pragma: no cover - older Streamlit
        def is_authlib_installed() -> bool:
            return False
    if not is_authlib_installed():
        return broken(intro + "the Authlib package is not installed (pip install -r requirements.txt).")
    return Settings(provider, domains, emails, metadata_url=str(section["server_metadata_url"]))


def provider_problem(settings: Settings) -> str:
    """A sentence when the provider does not answer its OpenID Connect discovery address, else ""."""
    url = settings.metadata_url
    try:
        with urllib.request.urlopen(url, timeout=PROVIDER_TIMEOUT_SECONDS) as response:
            metadata = json.loads(response.read().decode("utf-8"))
        if not isinstance(metadata, dict) or "authorization_endpoint" not in metadata:
            return (f"Sign-in is switched on but the identity provider's address ({url}) does not describe an "
                    "OpenID Connect provider, so the dashboard shows nothing. Check server_metadata_url in secrets.toml.")
    except (OSError, ValueError) as error:
        return (f"Sign-in is switched on but the identity provider does not answer at {url} ({error}), so the "
                "dashboard shows nothing until it does. Check server_metadata_url in secrets.toml and the network.")
    return ""


_checked: dict[str, tuple[float, str]] = {}


def provider_problem_remembered(settings: Settings) -> str:
    """provider_problem, asked at most once a minute per address (every page run calls it)."""
    now = time.monotonic()
    seen = _checked.get(settings.metadata_url)
    if seen is None or now - seen[0] > PROVIDER_CHECK_SECONDS:
        seen = (now, provider_problem(settings))
        _checked[settings.metadata_url] = seen
    return seen[1]


def secrets_files(streamlit_args: list[str], working_dir: Path) -> list[Path]:
    """The secrets files Streamlit will read: --secrets.files if given, else its defaults."""
    for number, arg in enumerate(streamlit_args):
        if arg.startswith("--secrets.files"):
            value = arg.split("=", 1)[1] if "=" in arg else streamlit_args[number + 1]
            return [Path(v.strip()).expanduser() for v in value.strip("[]").replace('"', "").split(",") if v.strip()]
    return [Path.home() / ".streamlit" / "secrets.toml", working_dir / ".streamlit" / "secrets.toml"]


def startup_problem(files: list[Path]) -> str:
    """What `make serve` says before starting anything: a sentence when sign-in is asked for but cannot work."""
    merged: dict = {}
    for path in files:
        if path.is_file():
            try:
                merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
            except (OSError, tomllib.TOMLDecodeError) as error:
                return f"{path} cannot be read as TOML ({error}); the dashboard is not started."
    settings = settings_from(merged)
    if settings is None:
        return ""
    return settings.problem or provider_problem(settings)


# --- In the app -------------------------------------------------------------------------------------

def current_settings() -> Settings | None:
    import streamlit as st

    try:
        return settings_from(st.secrets)
    except FileNotFoundError:  # no secrets file at all: sign-in is off
        return None


def let_in() -> bool:
    """At the top of every page run: True when sign-in is off or the person may come in. Otherwise it
    draws what they see instead (the sentence on what is wrong, the sign-in button, or why they may
    not come in) and returns False: the caller then shows no page, no filter and no figure."""
    import streamlit as st

    settings = current_settings()
    if settings is None:
        return True
    problem = settings.problem or provider_problem_remembered(settings)
    if problem:
        st.error(problem)
        return False
    if not st.user.is_logged_in:
        st.title("Early years scrutiny dashboard")
        st.markdown("This dashboard is for the council's staff and invited reviewers: "
                    "sign in with your council account to open it.")
        st.button("Sign in", type="primary", on_click=st.login, args=(settings.provider,) if settings.provider else ())
        return False
    email = st.user.get("email")
    if not settings.lets_in(email):
        st.error(f"You are signed in as {email or 'an account without an e-mail address'}, which is not on this "
                 "dashboard's list of people allowed in. Ask the scrutiny officer to add you, or sign out "
                 "and sign in with your council account.")
        st.button("Sign out", on_click=st.logout)
        return False
    who = st.user.get("name") or email
    st.sidebar.caption(f"Signed in as {who}" + (f" ({email})" if who != email else ""))
    st.sidebar.button("Sign out", on_click=st.logout, key="sign_out")
    return True


def who_can_open_it() -> str:
    """The sentence About the data shows on who can open the dashboard."""
    settings = current_settings()
    if settings is None:
        return ("Anyone who can reach this dashboard's address can open it: sign-in is off "
                "(see the README's \"Signing in\" to switch it on).")
    allowed = sorted("@" + d for d in settings.allowed_domains) + sorted(settings.allowed_emails)
    return ("Only people who sign in with the council's identity provider and are on its list can open it: "
            + ", ".join(allowed) + ".")
