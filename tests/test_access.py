"""Sign-in with the council's OpenID Connect provider (scrutiny/access.py), against a local provider
(oidc-provider-mock) on 127.0.0.1: the settings, the page gate, and `make serve` refusing to start."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from scrutiny import access
from tests.helpers import open_app, texts

GOOD_AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-test-secret-of-enough-length-0123456789",
    "client_id": "dashboard",
    "client_secret": "dashboard-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ACCESS = {"allowed_domains": ["Testshire.gov.uk"], "allowed_emails": ["reviewer@healthwatch.example"]}


def test_without_an_auth_section_sign_in_is_off():
    assert access.settings_from({}) is None
    assert access.settings_from({"access": ACCESS}) is None


@pytest.mark.parametrize("auth, access_section, says", [
    ({k: v for k, v in GOOD_AUTH.items() if k != "client_secret"}, ACCESS, "the [auth] section has no client_secret."),
    ({k: v for k, v in GOOD_AUTH.items() if k != "cookie_secret"}, ACCESS, "the [auth] section has no cookie_secret."),
    (GOOD_AUTH, {}, "no one is allowed in: list e-mail domains (allowed_domains)"),
    ({"redirect_uri": "x", "cookie_secret": "y", "entra": {"client_id": "a", "server_metadata_url": "u"}}, ACCESS,
     "the [auth.entra] section has no client_secret."),
])
def test_a_wrong_auth_section_is_a_sentence(auth, access_section, says):
    settings = access.settings_from({"auth": auth, "access": access_section})
    assert settings.problem.startswith("Sign-in is switched on (secrets.toml has an [auth] section) but cannot work")
    assert says in settings.problem


def test_the_allow_list_lets_in_listed_domains_and_addresses_only():
    settings = access.settings_from({"auth": GOOD_AUTH, "access": ACCESS})
    assert settings.problem == "" and settings.provider is None
    assert settings.lets_in("Jo.Bloggs@testshire.gov.uk")
    assert settings.lets_in("reviewer@healthwatch.example")
    assert not settings.lets_in("other@healthwatch.example")
    assert not settings.lets_in("jo@testshire.gov.uk.example.com")
    assert not settings.lets_in("jo@sub.testshire.gov.uk")
    assert not settings.lets_in(None) and not settings.lets_in("testshire.gov.uk")
    named = access.settings_from({"auth": {"redirect_uri": "x", "cookie_secret": "y", "entra": dict(GOOD_AUTH)},
                                  "access": ACCESS})
    assert named.problem == "" and named.provider == "entra"


def test_a_provider_that_does_not_answer_is_a_sentence(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(toml(GOOD_AUTH, ACCESS))
    problem = access.startup_problem([secrets])
    assert problem.startswith("Sign-in is switched on but the identity provider does not answer at "
                              "http://127.0.0.1:9/.well-known/openid-configuration")
    assert access.startup_problem([tmp_path / "none.toml"]) == ""


def test_make_serve_refuses_to_start_unprotected(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(toml({k: v for k, v in GOOD_AUTH.items() if k != "client_secret"}, ACCESS))
    result = subprocess.run(
        [sys.executable, "-m", "scrutiny.serve", "--run-dir", str(tmp_path / "run"), "--secrets.files", str(secrets)],
        capture_output=True, text=True, timeout=60, env=dict(os.environ, NGINX=sys.executable),
    )
    assert result.returncode == 2
    assert "the [auth] section has no client_secret." in result.stderr
    assert not (tmp_path / "run").exists()


def toml(auth: dict, access_section: dict) -> str:
    def value(v):
        return "[" + ", ".join(f'"{x}"' for x in v) + "]" if isinstance(v, list) else f'"{v}"'
    lines = ["[auth]"] + [f"{k} = {value(v)}" for k, v in auth.items() if not isinstance(v, dict)]
    lines += ["", "[access]"] + [f"{k} = {value(v)}" for k, v in access_section.items()]
    return "\n".join(lines) + "\n"


# --- A local OpenID Connect provider --------------------------------------------------------------

def auth_for(provider: str, app_url: str = "http://127.0.0.1:8501") -> dict:
    return dict(GOOD_AUTH, redirect_uri=f"{app_url}/oauth2callback",
                server_metadata_url=f"{provider}/.well-known/openid-configuration")


def test_a_running_provider_passes_the_startup_check(provider, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(toml(auth_for(provider), ACCESS))
    assert access.startup_problem([secrets]) == ""


def _signed_in_app(tiny, provider, user: dict, page: str | None = None):
    from streamlit.testing.v1 import AppTest

    from tests.helpers import DASHBOARD

    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    at.secrets["auth"] = auth_for(provider)
    at.secrets["access"] = ACCESS
    at.user = user
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def test_signed_out_a_person_sees_only_the_sign_in(tiny, provider):
    at = _signed_in_app(tiny, provider, {"is_logged_in": False})
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert "sign in with your council account to open it" in texts(at)
    assert len(at.sidebar) == 0 and len(at.selectbox) == 0 and len(at.dataframe) == 0


def test_someone_not_on_the_list_sees_a_sentence_only(tiny, provider):
    at = _signed_in_app(tiny, provider, {"is_logged_in": True, "email": "someone@elsewhere.example"})
    assert not at.exception
    assert at.error[0].value.startswith("You are signed in as someone@elsewhere.example, which is not on this "
                                        "dashboard's list of people allowed in.")
    assert [b.label for b in at.button] == ["Sign out"]
    assert len(at.selectbox) == 0 and len(at.dataframe) == 0 and len(at.get("plotly_chart")) == 0


def test_someone_on_the_list_sees_the_pages_and_who_is_signed_in(tiny, provider):
    at = _signed_in_app(tiny, provider, {"is_logged_in": True, "email": "jo@testshire.gov.uk", "name": "Jo Bloggs"})
    assert not at.exception, [e.message for e in at.exception]
    assert "Signed in as Jo Bloggs (jo@testshire.gov.uk)" in [c.value for c in at.sidebar.caption]
    assert "Sign out" in [b.label for b in at.sidebar.button]
    assert [s.key for s in at.selectbox][:1] == ["period"], "the sidebar filters are there"
    at.switch_page("pages/data.py").run()
    assert ("**Who can open it:** Only people who sign in with the council's identity provider and are on its "
            "list can open it: @testshire.gov.uk, reviewer@healthwatch.example.") in texts(at)


def test_without_sign_in_about_the_data_says_it_is_open(tiny):
    at = open_app("pages/data.py")
    assert "**Who can open it:** Anyone who can reach this dashboard's address can open it: sign-in is off" in texts(at)
