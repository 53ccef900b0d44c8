"""Copy link to this view: the link holds every filter and the page's own choices, and reopens the same view."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from scrutiny import sharing
from scrutiny.filters import Filters
from tests.helpers import open_app


@pytest.mark.parametrize("base, filters, page_params, expected", [
    ("/reach", Filters(year=2023), {}, "/reach?period=2023-24"),
    ("/reach", Filters(year=2023, district="Northdale", site_type="family_hub"), {"target_group": "lone_parent"},
     "/reach?period=2023-24&district=Northdale&site_type=Family+hub&target_group=lone_parent"),
    # The page's own parameters never override the sidebar's, and empty ones are left out.
    ("/gap", Filters(year=2022, lead_agency="O'Brien & Sons"), {"district": "Elsewhere", "indicator": ""},
     "/gap?period=2022-23&lead_agency=O%27Brien+%26+Sons"),
    ("/data", Filters(year=None), {}, "/data"),
])
def test_view_url(base, filters, page_params, expected):
    assert sharing.view_url(base, filters, page_params) == expected


def shared_link(at) -> str:
    # AppTest records the link drawn before the page and the one redrawn after it; the browser shows only the last.
    # (AppTest drops the sidebar after switch_page, so these tests use the default page.)
    return at.sidebar.code[-1].value


def test_shared_link_reproduces_the_filters(tiny):
    at = open_app(None, period="2022-23", district="Southvale", site_type="Family hub")
    link = shared_link(at)
    assert urlsplit(link).path == "/"
    params = dict(parse_qsl(urlsplit(link).query))
    assert params == {"period": "2022-23", "district": "Southvale", "site_type": "Family hub"}

    # Someone else opens the link: the same filters are chosen.
    reopened = open_app(None, **params)
    assert reopened.selectbox(key="period").value == "2022-23"
    assert reopened.selectbox(key="district").value == "Southvale"
    assert reopened.selectbox(key="site_type").value == "family_hub"
    assert shared_link(reopened).endswith("?" + urlsplit(link).query)
    assert not reopened.exception


def test_shared_link_carries_the_pages_own_choices(tiny):
    at = open_app(None, period="2023-24", target_group="teenage_parent")
    assert dict(parse_qsl(urlsplit(shared_link(at)).query)) == {"period": "2023-24", "target_group": "teenage_parent"}


def test_shared_link_leaves_out_a_rejected_filter(tiny):
    at = open_app(district="<script>alert(1)</script>")
    assert "district" not in dict(parse_qsl(urlsplit(shared_link(at)).query))


def test_the_home_page_links_to_the_root():
    # Streamlit serves the default page at / and answers /overview with "page not found".
    from scrutiny.sharing import page_url_path
    assert page_url_path("pages/overview.py") == ""
    assert page_url_path("pages/reach.py") == "reach"
