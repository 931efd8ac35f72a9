"""The load test's response checks really catch leaks and wrong answers (bench/load.py)."""

import json

from bench.load import Profile, check_record, check_response

GRANTS = [("id_number", "search", False), ("name", "search", True), ("gender", "lookup", False)]
TRUTH = {"320102199001011234": "王伟"}
KEY = "320102199001011234"


def test_a_clean_masked_lookup_passes():
    profile = Profile("s", "k", GRANTS)
    assert check_record({"id_number": KEY, "name": "王*", "gender": "1"}, profile, "lookup", TRUTH, KEY) == []


def test_an_ungranted_item_is_a_leak():
    profile = Profile("s", "k", GRANTS)
    problems = check_record({"name": "王*", "household_address": "x"}, profile, "lookup", TRUTH, KEY)
    assert [kind for kind, _ in problems] == ["leak"]


def test_a_lookup_grant_does_not_cover_search():
    profile = Profile("s", "k", GRANTS)
    problems = check_record({"name": "王*", "gender": "1"}, profile, "search", TRUTH, KEY)
    assert [kind for kind, _ in problems] == ["leak"]


def test_an_unmasked_value_under_a_masked_grant_is_a_leak():
    profile = Profile("s", "k", GRANTS)
    assert [k for k, _ in check_record({"name": "王伟"}, profile, "lookup", TRUTH, KEY)] == ["leak"]


def test_a_wrong_name_is_a_wrong_answer():
    profile = Profile("s", "k", [("name", "lookup", False)])
    assert [k for k, _ in check_record({"name": "李四"}, profile, "lookup", TRUTH, KEY)] == ["wrong"]


def test_verify_answers_are_checked_against_the_truth_and_for_values():
    profile = Profile("s", "k", GRANTS)
    right = json.dumps({"id_number": KEY, "name": "王伟"})
    wrong = json.dumps({"id_number": KEY, "name": "王伟伪"})
    assert (
        check_response("verify", {"match": True, "items": {"name": True}}, profile, TRUTH, KEY, right) == []
    )
    assert [
        k
        for k, _ in check_response(
            "verify", {"match": True, "items": {"name": True}}, profile, TRUTH, KEY, wrong
        )
    ] == ["wrong"]
    leaked = {"match": True, "items": {"name": True}, "name": "王伟"}
    assert "leak" in [k for k, _ in check_response("verify", leaked, profile, TRUTH, KEY, right)]
