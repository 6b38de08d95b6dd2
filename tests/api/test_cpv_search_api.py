"""CPV search-as-you-type over the API: code prefixes, words with or without accents, bad input."""
from __future__ import annotations

import pytest


def _codes(client, q: str, lang: str = "vi", **args) -> list[str]:
    resp = client.get("/api/v1/cpv/search", query_string={"q": q, "lang": lang, **args})
    assert resp.status_code == 200, resp.get_json()
    return [item["code"] for item in resp.get_json()["items"]]


def test_a_code_prefix_returns_codes_under_it(client):
    codes = _codes(client, "9045")
    assert codes and all(c.startswith("9045") for c in codes)
    assert "90450000" in codes


@pytest.mark.parametrize("q", ["nuoc thai", "xử lý nước thải", "Nước Thải"])
def test_vietnamese_words_match_with_or_without_accents(client, q):
    codes = _codes(client, q, limit=50)
    assert "90420000" in codes   # sewage treatment services
    body = client.get("/api/v1/cpv/search", query_string={"q": q, "lang": "vi"}).get_json()
    assert all("thải" in item["label"].lower() for item in body["items"]), body


def test_english_words_match_in_english_labels(client):
    body = client.get("/api/v1/cpv/search", query_string={"q": "sewage", "lang": "en"}).get_json()
    codes = [item["code"] for item in body["items"]]
    assert "90400000" in codes and "90420000" in codes
    assert all("sewage" in item["label"].lower() for item in body["items"])


def test_the_limit_caps_the_results(client):
    assert len(_codes(client, "9", limit=3)) == 3


@pytest.mark.parametrize("args,field", [({"q": ""}, "q"), ({"q": "   "}, "q"), ({}, "q"),
                                        ({"q": "9045", "limit": "0"}, "limit"),
                                        ({"q": "9045", "limit": "many"}, "limit"),
                                        ({"q": "9045", "lang": "fr"}, "lang")])
def test_bad_input_is_a_field_error(client, args, field):
    resp = client.get("/api/v1/cpv/search", query_string=args)
    assert resp.status_code == 422
    assert field in resp.get_json()["error"]["fields"]


def test_the_search_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/cpv/search"]["get"]
    assert "security" not in op and {p["name"] for p in op["parameters"]} >= {"q", "lang", "limit"}


def test_suggest_from_a_description_answers_codes_with_labels_and_paths(client, monkeypatch):
    from market.services import cpv

    # Until the semantic suggester is built (it encodes every label once), suggestions come from the labels' words.
    monkeypatch.setattr(cpv, "suggester", lambda config, wait=False: None)
    resp = client.get("/api/v1/cpv/suggest", query_string={
        "text": "Thu gom, vận chuyển và xử lý chất thải rắn sinh hoạt cho thị xã", "lang": "vi", "k": 5})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["mode"] == "lexical" and 1 <= len(body["items"]) <= 5
    first = body["items"][0]
    assert first["code"].startswith("905") and first["label"] and first["path"][-1]["code"] == first["code"]


def test_suggest_without_text_is_a_field_error(client):
    resp = client.get("/api/v1/cpv/suggest")
    assert resp.status_code == 422 and "text" in resp.get_json()["error"]["fields"]
