"""Sign-in end to end in a real Chromium: `make serve` with two processes behind nginx, and a local
OpenID Connect provider (oidc-provider-mock), everything on 127.0.0.1.

Streamlit reads its secrets from the file given with --secrets.files, written in a temporary folder.
"""

from __future__ import annotations

import pytest

from scrutiny import serve
from tests.e2e.conftest import PAGE_SECONDS, READY
from tests.test_access import ACCESS, auth_for, toml
from tests.test_serve import start_served, stop_served

pytestmark = pytest.mark.skipif(serve.nginx_binary() is None, reason="nginx is not installed")


@pytest.fixture(scope="module")
def signed_service(provider, e2e_extract, tmp_path_factory):
    folder = tmp_path_factory.mktemp("signed")
    port = serve.free_port()
    app_url = f"http://127.0.0.1:{port}"
    secrets = folder / "secrets.toml"
    secrets.write_text(toml(auth_for(provider, app_url), ACCESS))
    run = start_served(folder / "run", e2e_extract, port=port, extra=["--secrets.files", str(secrets)])
    yield run
    stop_served(run)


def sign_in_as(tab, url: str, email: str) -> None:
    tab.goto(url)
    tab.get_by_role("button", name="Sign in").click()
    # The provider's own form: any subject signs in, with that subject as the e-mail address.
    tab.wait_for_selector('input[name="sub"][placeholder="sub"]', timeout=PAGE_SECONDS * 1000)
    tab.fill('input[name="sub"][placeholder="sub"]', email)
    tab.get_by_role("button", name="Authorize").click()


def test_sign_in_through_nginx_with_two_processes(signed_service, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(PAGE_SECONDS * 1000)
    try:
        tab.goto(signed_service.url + "/reach")
        tab.get_by_role("button", name="Sign in").wait_for()
        main = tab.locator('[data-testid="stMain"]').inner_text()
        assert "sign in with your council account to open it" in main
        assert tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() == 0

        sign_in_as(tab, signed_service.url, "jo@testshire.gov.uk")
        tab.wait_for_function(READY, timeout=PAGE_SECONDS * 1000)
        sidebar = tab.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Signed in as jo@testshire.gov.uk").wait_for()
        assert tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() > 0
        # Signed in, every page opens: the About the data page says who may.
        tab.goto(signed_service.url + "/data")
        tab.wait_for_function(READY, timeout=PAGE_SECONDS * 1000)
        assert "Only people who sign in with the council's identity provider" in tab.locator(
            '[data-testid="stMain"]').inner_text()

        sidebar.get_by_role("button", name="Sign out").click()
        # Streamlit signs out at the provider too (its end_session_endpoint): the mock asks to confirm.
        tab.get_by_role("button", name="End session").click()
        tab.get_by_role("button", name="Sign in").wait_for()
        assert tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() == 0
    finally:
        context.close()


def test_someone_not_on_the_list_sees_a_sentence_only(signed_service, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(PAGE_SECONDS * 1000)
    try:
        sign_in_as(tab, signed_service.url, "someone@elsewhere.example")
        tab.get_by_text("You are signed in as someone@elsewhere.example, which is not on this").wait_for()
        assert tab.locator('[data-testid="stSelectbox"]').count() == 0
        assert tab.locator('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]').count() == 0
    finally:
        context.close()
