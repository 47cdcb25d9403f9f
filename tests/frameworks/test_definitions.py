"""Framework definitions: the shipped YAML, the checks that refuse a broken one, and how they are stored."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from casereviews.frameworks.models import StoredFramework
from casereviews.frameworks.schema import FrameworkDefinition
from casereviews.frameworks.services import (
    DEFINITIONS_DIR,
    UnknownFramework,
    framework_definitions_sync,
    get_framework,
    shipped_definitions,
)

SHIPPED_FILES = sorted(DEFINITIONS_DIR.glob("*.yaml"))


def shipped_data(code: str) -> dict[str, Any]:
    return yaml.safe_load((DEFINITIONS_DIR / f"{code}.yaml").read_text(encoding="utf-8"))


def refusal_of(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as refused:
        FrameworkDefinition.model_validate(data)
    return str(refused.value)


def test_the_three_frameworks_are_shipped():
    assert {path.stem for path in SHIPPED_FILES} == {"england_2015", "england_2023", "wales"}
    assert set(shipped_definitions()) == {"england_2015", "england_2023", "wales"}


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda path: path.stem)
def test_every_shipped_definition_validates_and_is_named_after_its_file(path):
    definition = FrameworkDefinition.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert definition.code == path.stem
    assert definition.initial_state in {state.id for state in definition.states}
    assert definition.criteria.outcomes[-1].when is None


def test_england_2015_declares_the_statutory_clocks():
    rules = {rule.id: rule for rule in shipped_definitions()["england_2015"].deadlines}
    assert (rules["notify_ofsted"].length, rules["notify_ofsted"].unit) == (5, "working_days")
    assert rules["notify_ofsted"].clock_from == "aware_on"
    assert (rules["chair_decision"].length, rules["chair_decision"].unit) == (1, "calendar_months")
    assert (rules["inform_panel_no_scr"].length, rules["inform_panel_no_scr"].unit) == (14, "calendar_days")
    assert rules["inform_panel_no_scr"].starts_on == "decision:no_review"


def test_england_2023_starts_the_rapid_review_clock_from_the_panel_notification():
    rules = {rule.id: rule for rule in shipped_definitions()["england_2023"].deadlines}
    assert rules["rapid_review"].starts_on == "notified:national_panel"
    assert rules["rapid_review"].clock_from == "event"
    assert (rules["rapid_review"].length, rules["rapid_review"].unit) == (15, "working_days")
    assert (rules["notify_panel"].length, rules["notify_panel"].unit) == (5, "working_days")


def test_each_framework_declares_its_review_types_and_publication_rules():
    definitions = shipped_definitions()
    assert [t.id for t in definitions["england_2015"].review_types] == ["scr", "partnership_review"]
    assert definitions["wales"].review_type("extended_cpr").lead_reviewers == 2
    assert definitions["wales"].review_type("concise_cpr").lead_reviewers == 1
    assert definitions["england_2023"].review_type("national_review").run_locally is False
    england_2015, england_2023 = definitions["england_2015"].publication, definitions["england_2023"].publication
    assert (england_2015.notice_length, england_2015.notice_unit) == (1, "calendar_weeks")
    assert (england_2015.window_length, england_2015.window_unit) == (12, "calendar_months")
    assert (england_2023.notice_length, england_2023.notice_unit) == (7, "working_days")
    assert (england_2023.window_length, england_2023.window_unit) == (1, "calendar_years")


def test_an_option_naming_an_unknown_review_type_is_refused():
    data = shipped_data("england_2023")
    data["decision_options"] = [*data["decision_options"], {"id": "audit", "label": "Audit", "review_type": "audit"}]
    assert "option 'audit' names unknown review type 'audit'" in refusal_of(data)


def test_a_transition_to_an_unknown_state_is_refused():
    data = shipped_data("england_2015")
    data["transitions"][0]["to"] = "limbo"
    assert "transition 'accept' names unknown state 'limbo'" in refusal_of(data)


def test_a_transition_from_an_unknown_state_is_refused():
    data = shipped_data("england_2015")
    data["transitions"][0]["from"] = ["drafting"]
    assert "transition 'accept' names unknown state 'drafting'" in refusal_of(data)


def test_an_unknown_initial_state_is_refused():
    data = shipped_data("england_2023")
    data["initial_state"] = "received"
    assert "initial state 'received' is not a state" in refusal_of(data)


def test_a_transition_for_an_unknown_role_is_refused():
    data = shipped_data("england_2015")
    data["transitions"][0]["roles"] = ["caretaker"]
    assert "transition 'accept' names unknown role 'caretaker'" in refusal_of(data)


def test_a_deadline_waiting_on_an_unknown_event_is_refused():
    data = shipped_data("england_2023")
    data["deadlines"][0]["met_by"] = ["notified:the_press"]
    assert "deadline 'notify_panel' names unknown event 'notified:the_press'" in refusal_of(data)


def test_a_deadline_started_by_an_unknown_event_is_refused():
    data = shipped_data("england_2015")
    data["deadlines"][0]["starts_on"] = "decision:inquiry"
    assert "deadline 'notify_ofsted' names unknown event 'decision:inquiry'" in refusal_of(data)


def test_a_catch_all_outcome_that_is_not_last_is_refused():
    data = shipped_data("england_2015")
    outcomes = data["criteria"]["outcomes"]
    data["criteria"]["outcomes"] = [outcomes[-1], *outcomes[:-1]]
    assert "the last criteria outcome must apply otherwise (no `when`)" in refusal_of(data)


def test_an_outcome_naming_an_unknown_question_is_refused():
    data = shipped_data("england_2015")
    data["criteria"]["outcomes"][0]["when"] = "child_was_famous"
    assert "outcome 'custody_death' uses unknown questions" in refusal_of(data)


def test_every_problem_is_reported_at_once():
    data = shipped_data("england_2015")
    data["transitions"][0]["to"] = "limbo"
    data["transitions"][1]["roles"] = ["caretaker"]
    message = refusal_of(data)
    assert "unknown state 'limbo'" in message and "unknown role 'caretaker'" in message


def test_a_condition_with_two_forms_at_once_is_refused():
    data = shipped_data("england_2015")
    data["criteria"]["outcomes"][0]["when"] = {"is": "child_died", "not": "seriously_harmed"}
    assert "a condition has exactly one of: is, all, any, not" in refusal_of(data)


def test_a_misspelt_field_is_refused_rather_than_ignored():
    data = shipped_data("england_2015")
    data["deadlines"][0]["lenght"] = 10
    assert "lenght" in refusal_of(data)


def test_a_negative_deadline_length_is_refused():
    data = shipped_data("england_2015")
    data["deadlines"][0]["length"] = -5
    assert "length" in refusal_of(data)


@pytest.mark.django_db
def test_migrating_stores_every_shipped_framework():
    stored = {row.code: row for row in StoredFramework.objects.all()}
    assert set(stored) == {"england_2015", "england_2023", "wales"}
    assert stored["england_2023"].definition["code"] == "england_2023"
    assert get_framework("england_2015") == shipped_definitions()["england_2015"]


@pytest.mark.django_db
def test_asking_for_a_framework_that_is_not_stored_is_an_error():
    with pytest.raises(UnknownFramework, match="scotland_2021"):
        get_framework("scotland_2021")


@pytest.mark.django_db
def test_a_partnerships_framework_is_chosen_by_the_date_of_the_incident(northshire, glanmor):
    assert northshire.framework_code_on(datetime.date(2017, 3, 14)) == "england_2015"
    assert northshire.framework_code_on(datetime.date(2018, 6, 28)) == "england_2015"
    assert northshire.framework_code_on(datetime.date(2018, 6, 29)) == "england_2023"
    assert northshire.framework_code_on(datetime.date(2025, 2, 1)) == "england_2023"
    assert northshire.framework_code_on(datetime.date(2005, 1, 1)) is None
    assert glanmor.framework_code_on(datetime.date(2025, 2, 1)) == "wales"


@pytest.mark.django_db
def test_a_newer_shipped_version_replaces_a_stored_framework_nobody_edited():
    stored = StoredFramework.objects.get(code="england_2015")
    stored.shipped_version = 0
    stored.definition = {**stored.definition, "name": "An out-of-date copy"}
    stored.save()
    shipped = shipped_definitions()["england_2015"].version
    assert framework_definitions_sync() == [f"england_2015: updated to version {shipped}"]
    stored.refresh_from_db()
    assert stored.shipped_version == shipped
    assert stored.definition["name"] == shipped_definitions()["england_2015"].name


@pytest.mark.django_db
def test_a_locally_corrected_framework_is_kept_even_when_a_newer_version_ships():
    stored = StoredFramework.objects.get(code="england_2015")
    corrected = copy.deepcopy(stored.definition)
    corrected["deadlines"][0]["length"] = 7
    stored.definition, stored.edited_locally, stored.shipped_version = corrected, True, 0
    stored.save()
    assert framework_definitions_sync() == []
    stored.refresh_from_db()
    assert stored.definition["deadlines"][0]["length"] == 7
    assert get_framework("england_2015").deadlines[0].length == 7


@pytest.mark.django_db
def test_a_deleted_framework_is_restored_by_the_sync():
    StoredFramework.objects.filter(code="wales").delete()
    assert framework_definitions_sync() == [f"wales: added version {shipped_definitions()['wales'].version}"]
    assert get_framework("wales").code == "wales"
