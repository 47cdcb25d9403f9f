"""OAI-PMH 2.0 at /oai: each verb, dates, sets, resumption tokens, and each error a harvester can cause.

The OAI-PMH XSD cannot be fetched here, so responses are checked by parsing them with lxml and reading the
elements the protocol requires."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from lxml import etree

from casereviews.library.models import Report, ValueStatus
from casereviews.library.services import value_decide
from casereviews.search import oai
from casereviews.search.models import DeletedRecord
from tests.search.builders import make_library_report
from tests.search.library import PROPOSED, build_library

pytestmark = pytest.mark.django_db

NS = {"o": oai.OAI_NS, "dc": oai.DC_NS, "oai_dc": oai.OAI_DC_NS}
UTC = datetime.UTC


def harvest(client, method: str = "get", **params):
    response = getattr(client, method)(reverse("oai"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{oai.OAI_NS}}}OAI-PMH"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", root.findtext("o:responseDate", namespaces=NS))
    assert root.findtext("o:request", namespaces=NS) == "https://reviews.example.org/oai"
    return root


def error_of(root) -> str | None:
    error = root.find("o:error", NS)
    return None if error is None else error.get("code")


def identifiers(root) -> list[str]:
    return [element.text for element in root.iterfind(".//o:header/o:identifier", NS)]


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def library(settings):
    settings.SITE_URL = "https://reviews.example.org"
    library = build_library()
    hidden = make_library_report("Hidden review", ["Words."], status=PROPOSED, catalogue={"partnership": "Hiddenshire"})
    library.hidden = hidden
    Report.objects.filter(pk=library.a.pk).update(uploaded_at=at("2020-01-01T10:00:00"))
    library.a.values.update(decided_at=at("2020-03-01T12:00:00"))
    Report.objects.filter(pk=library.b.pk).update(uploaded_at=at("2024-06-01T09:30:00"))
    library.b.values.update(decided_at=None)
    return library


def oai_id(report) -> str:
    return f"oai:reviews.example.org:report/{report.pk}"


def test_identify_describes_the_repository(library, client):
    root = harvest(client, verb="Identify")
    assert error_of(root) is None
    assert root.find("o:request", NS).attrib == {"verb": "Identify"}
    identify = root.find("o:Identify", NS)
    assert identify.findtext("o:baseURL", namespaces=NS) == "https://reviews.example.org/oai"
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:earliestDatestamp", namespaces=NS) == "2020-03-01T12:00:00Z"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert "@" in identify.findtext("o:adminEmail", namespaces=NS)


def test_the_only_metadata_format_is_dublin_core(library, client):
    root = harvest(client, verb="ListMetadataFormats")
    assert [e.text for e in root.iterfind(".//o:metadataPrefix", NS)] == ["oai_dc"]
    assert root.findtext(".//o:metadataNamespace", namespaces=NS) == oai.OAI_DC_NS
    assert error_of(harvest(client, verb="ListMetadataFormats", identifier=oai_id(library.a))) is None


def test_metadata_formats_of_a_record_that_is_not_public_do_not_exist(library, client):
    for identifier in (oai_id(library.draft), oai_id(library.pending), "oai:elsewhere.org:report/1", "nonsense"):
        assert error_of(harvest(client, verb="ListMetadataFormats", identifier=identifier)) == "idDoesNotExist"


def test_sets_are_nations_and_partnerships_of_public_reports(library, client):
    root = harvest(client, verb="ListSets")
    sets = {
        s.findtext("o:setSpec", namespaces=NS): s.findtext("o:setName", namespaces=NS)
        for s in root.iterfind(".//o:set", NS)
    }
    assert sets == {
        "nation": "Reviews by nation",
        "partnership": "Reviews by partnership",
        "nation:england": "England",
        "nation:wales": "Wales",
        "partnership:glanmor": "Glanmor",
        "partnership:northshire": "Northshire",
    }


def test_list_identifiers_gives_headers_of_public_reports_only(library, client):
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert identifiers(root) == [oai_id(library.a), oai_id(library.b)]
    assert root.find(".//o:metadata", NS) is None
    header = root.find(".//o:header", NS)
    assert header.findtext("o:datestamp", namespaces=NS) == "2020-03-01T12:00:00Z"
    assert [e.text for e in header.iterfind("o:setSpec", NS)] == [
        "nation", "partnership", "nation:england", "partnership:northshire"
    ]  # fmt: skip


def test_a_set_and_its_parent_select_their_records(library, client):
    assert identifiers(harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="nation:wales")) == [
        oai_id(library.b)
    ]
    assert len(identifiers(harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="nation"))) == 2
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="partnership:hiddenshire")
    assert error_of(root) == "noRecordsMatch"


def test_list_records_gives_dublin_core_of_confirmed_values_only(library, client):
    root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    records = root.findall(".//o:record", NS)
    assert len(records) == 2
    dc = records[0].find("o:metadata/oai_dc:dc", NS)
    values = [(etree.QName(e).localname, e.text) for e in dc]
    assert ("title", "Child A review") in values and ("creator", "Northshire") in values
    assert ("date", "2021") in values and ("coverage", "England") in values
    assert ("identifier", f"https://reviews.example.org/search/reports/{library.a.pk}/") in values
    assert ("subject", "Neglect") in values and ("subject", "Domestic abuse") in values
    # A risk factor and a methodology the machine proposed and nobody confirmed stay out.
    assert ("subject", "Poverty") not in values
    assert not any("Significant Incident" in (text or "") for _, text in values)


def test_get_record_gives_one_record(library, client):
    root = harvest(client, verb="GetRecord", identifier=oai_id(library.b), metadataPrefix="oai_dc")
    assert identifiers(root) == [oai_id(library.b)]
    assert root.findtext(".//dc:title", namespaces=NS) == "Child B review"
    assert root.find("o:request", NS).attrib == {
        "verb": "GetRecord", "identifier": oai_id(library.b), "metadataPrefix": "oai_dc"
    }  # fmt: skip


def test_get_record_of_a_report_that_is_not_public_does_not_exist(library, client):
    for report in (library.draft, library.pending, library.hidden):
        root = harvest(client, verb="GetRecord", identifier=oai_id(report), metadataPrefix="oai_dc")
        assert error_of(root) == "idDoesNotExist" and root.find("o:GetRecord", NS) is None


def test_a_format_other_than_dublin_core_cannot_be_disseminated(library, client):
    root = harvest(client, verb="GetRecord", identifier=oai_id(library.a), metadataPrefix="marc21")
    assert error_of(root) == "cannotDisseminateFormat"
    assert error_of(harvest(client, verb="ListRecords", metadataPrefix="marc21")) == "cannotDisseminateFormat"


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({"from": "2024-01-01"}, ["b"]),
        ({"until": "2020-12-31"}, ["a"]),
        ({"from": "2020-03-01T12:00:00Z", "until": "2020-03-01T12:00:00Z"}, ["a"]),
        ({"from": "2020-03-01", "until": "2024-06-01"}, ["a", "b"]),
        ({"from": "2024-06-01T09:30:01Z"}, []),
    ],
)
def test_from_and_until_select_by_datestamp(library, client, dates, expected):
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **dates)
    if expected:
        assert identifiers(root) == [oai_id(getattr(library, name)) for name in expected]
    else:
        assert error_of(root) == "noRecordsMatch"


@pytest.mark.parametrize(
    "dates",
    [
        {"from": "yesterday"},
        {"until": "2024-13-01"},
        {"from": "2024-01-01T00:00:00"},
        {"from": "2024-02-01", "until": "2024-01-01"},
        {"from": "2024-01-01", "until": "2024-02-01T00:00:00Z"},
    ],
)
def test_a_date_that_is_malformed_reversed_or_of_mixed_granularity_is_a_bad_argument(library, client, dates):
    root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc", **dates)
    assert error_of(root) == "badArgument"
    assert root.find("o:request", NS).attrib == {}


def test_a_long_list_is_resumed_with_a_signed_token_until_it_ends(library, client, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 1)
    first = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert identifiers(first) == [oai_id(library.a)]
    token = first.find(".//o:resumptionToken", NS)
    assert token.get("completeListSize") == "2" and token.get("cursor") == "0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", token.get("expirationDate"))
    second = harvest(client, verb="ListRecords", resumptionToken=token.text)
    assert identifiers(second) == [oai_id(library.b)]
    last = second.find(".//o:resumptionToken", NS)
    assert last.text is None and last.get("cursor") == "1" and last.get("completeListSize") == "2"
    assert last.get("expirationDate") is None


def test_a_resumption_token_keeps_the_sets_and_dates_of_the_first_request(library, client, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 1)
    third = make_library_report(
        "Child C review", ["Words."], catalogue={"partnership": "Glanmor", "framework": "wales"}
    )
    first = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="nation:wales")
    assert identifiers(first) == [oai_id(library.b)]
    token = first.findtext(".//o:resumptionToken", namespaces=NS)
    assert identifiers(harvest(client, verb="ListIdentifiers", resumptionToken=token)) == [oai_id(third)]


def test_a_token_that_was_altered_expired_or_belongs_to_another_verb_is_refused(library, client, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 1)
    token = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc").findtext(
        ".//o:resumptionToken", namespaces=NS
    )
    assert error_of(harvest(client, verb="ListIdentifiers", resumptionToken=token[:-2] + "xx")) == "badResumptionToken"
    assert error_of(harvest(client, verb="ListRecords", resumptionToken=token)) == "badResumptionToken"
    assert error_of(harvest(client, verb="ListSets", resumptionToken=token)) == "badResumptionToken"
    later = datetime.datetime.now(UTC) + oai.TOKEN_LIFETIME + datetime.timedelta(minutes=1)
    expired = etree.fromstring(oai.respond({"verb": ["ListIdentifiers"], "resumptionToken": [token]}, now=later))
    assert error_of(expired) == "badResumptionToken"


def test_a_token_is_an_exclusive_argument(library, client):
    root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc", resumptionToken="anything")
    assert error_of(root) == "badArgument"
    assert error_of(harvest(client, verb="GetRecord", resumptionToken="anything")) == "badArgument"


@pytest.mark.parametrize("params", [{}, {"verb": "Harvest"}, {"verb": ["Identify", "ListSets"]}])
def test_a_missing_illegal_or_repeated_verb_is_a_bad_verb(library, client, params):
    root = harvest(client, **params)
    assert error_of(root) == "badVerb" and root.find("o:request", NS).attrib == {}


@pytest.mark.parametrize(
    "params",
    [
        {"verb": "Identify", "set": "nation"},
        {"verb": "ListRecords"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
        {"verb": "ListIdentifiers", "metadataPrefix": ["oai_dc", "oai_dc"]},
    ],
)
def test_an_illegal_missing_or_repeated_argument_is_a_bad_argument(library, client, params):
    root = harvest(client, **params)
    assert error_of(root) == "badArgument" and root.find("o:request", NS).attrib == {}


def test_an_empty_repository_has_no_records_to_match(client, settings):
    settings.SITE_URL = "https://reviews.example.org"
    assert error_of(harvest(client, verb="ListRecords", metadataPrefix="oai_dc")) == "noRecordsMatch"
    assert harvest(client, verb="ListSets").find("o:ListSets", NS) is not None


def test_a_harvester_may_post_its_request(library, client):
    root = harvest(client, "post", verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert identifiers(root) == [oai_id(library.a), oai_id(library.b)]


# -- deleted records ------------------------------------------------------------------------------------------


def deleted_headers(root) -> dict[str, etree._Element]:
    return {
        header.findtext("o:identifier", namespaces=NS): header
        for header in root.iterfind(".//o:header", NS)
        if header.get("status") == "deleted"
    }


def reject_title(report, people) -> None:
    value_decide(actor=people.analyst, value=report.values.get(field="title"), decision="reject")


def test_a_report_whose_title_is_rejected_is_listed_as_deleted_dated_when_it_left(library, client, people):
    before = datetime.datetime.now(UTC).replace(microsecond=0)
    reject_title(library.b, people)
    after = datetime.datetime.now(UTC)
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert identifiers(root) == [oai_id(library.a), oai_id(library.b)]
    header = deleted_headers(root)[oai_id(library.b)]
    assert before <= at(header.findtext("o:datestamp", namespaces=NS)[:-1]) <= after
    # It keeps the sets it was in, so a harvester of one set hears of the deletion.
    assert [e.text for e in header.iterfind("o:setSpec", NS)] == [
        "nation", "partnership", "nation:wales", "partnership:glanmor"
    ]  # fmt: skip
    assert list(deleted_headers(root)) == [oai_id(library.b)]


def test_list_records_and_get_record_give_a_deleted_record_as_its_header_alone(library, client, people):
    reject_title(library.b, people)
    records = harvest(client, verb="ListRecords", metadataPrefix="oai_dc").findall(".//o:record", NS)
    assert [r.find("o:header", NS).get("status") for r in records] == [None, "deleted"]
    assert records[0].find("o:metadata", NS) is not None and records[1].find("o:metadata", NS) is None
    root = harvest(client, verb="GetRecord", identifier=oai_id(library.b), metadataPrefix="oai_dc")
    record = root.find("o:GetRecord/o:record", NS)
    assert record.find("o:header", NS).get("status") == "deleted" and record.find("o:metadata", NS) is None
    assert "Child B review" not in etree.tostring(root).decode()
    assert error_of(harvest(client, verb="ListMetadataFormats", identifier=oai_id(library.b))) is None


def test_a_deleted_report_is_a_deleted_record(library, client):
    deleted_id = library.a.pk
    gone = f"oai:reviews.example.org:report/{deleted_id}"
    library.a.delete()
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert identifiers(root) == [gone, oai_id(library.b)]
    assert list(deleted_headers(root)) == [gone]
    assert DeletedRecord.objects.get(report_id=deleted_id).sets == ["nation:england", "partnership:northshire"]


def test_a_catalogue_field_sent_back_to_a_proposal_takes_the_report_out_as_deleted(library, client):
    framework = library.a.values.get(field="framework")
    framework.status = ValueStatus.PROPOSED
    framework.save()
    assert list(deleted_headers(harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))) == [
        oai_id(library.a)
    ]


def test_a_report_that_returns_to_the_public_library_is_a_live_record_again(library, client, people):
    reject_title(library.b, people)
    value_decide(actor=people.analyst, value=library.b.values.get(field="title"), decision="accept")
    assert not DeletedRecord.objects.exists()
    root = harvest(client, verb="GetRecord", identifier=oai_id(library.b), metadataPrefix="oai_dc")
    assert root.find(".//o:header", NS).get("status") is None
    assert root.findtext(".//dc:title", namespaces=NS) == "Child B review"


def test_a_report_that_was_never_public_leaves_no_deleted_record(library, client, people):
    value_decide(actor=people.analyst, value=library.draft.values.get(field="title"), decision="reject")
    library.pending.delete()
    library.hidden.values.filter(field="title").get().delete()
    assert not DeletedRecord.objects.exists()
    assert deleted_headers(harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")) == {}
    root = harvest(client, verb="GetRecord", identifier=oai_id(library.draft), metadataPrefix="oai_dc")
    assert error_of(root) == "idDoesNotExist"


def test_changes_that_keep_a_report_public_leave_no_deleted_record(library, people):
    value_decide(
        actor=people.analyst, value=library.a.values.get(field="partnership"), decision="correct", corrected="Eastshire"
    )
    poverty = library.a.values.get(field="risk_factors", key="poverty")
    value_decide(actor=people.analyst, value=poverty, decision="reject")
    assert not DeletedRecord.objects.exists()


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({"from": "2025-05-01"}, {"b"}),
        ({"until": "2025-04-30"}, {"a"}),
        ({"from": "2025-05-01T08:00:00Z", "until": "2025-05-01T08:00:00Z"}, {"b"}),
        ({"from": "2025-05-01T08:00:01Z"}, set()),
    ],
)
def test_from_and_until_select_deleted_records_by_when_they_left(library, client, people, dates, expected):
    reject_title(library.a, people)
    reject_title(library.b, people)
    DeletedRecord.objects.filter(report_id=library.a.pk).update(deleted_at=at("2025-04-30T23:00:00"))
    DeletedRecord.objects.filter(report_id=library.b.pk).update(deleted_at=at("2025-05-01T08:00:00"))
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **dates)
    if expected:
        assert set(deleted_headers(root)) == {oai_id(getattr(library, name)) for name in expected}
    else:
        assert error_of(root) == "noRecordsMatch"


def test_a_set_harvest_hears_of_the_deletions_in_that_set_only(library, client, people):
    reject_title(library.b, people)
    wales = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="partnership:glanmor")
    assert identifiers(wales) == [oai_id(library.b)] and list(deleted_headers(wales)) == [oai_id(library.b)]
    england = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="nation:england")
    assert identifiers(england) == [oai_id(library.a)] and deleted_headers(england) == {}


def test_a_resumed_list_counts_and_pages_through_deleted_records_too(library, client, people, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 1)
    reject_title(library.a, people)
    first = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert list(deleted_headers(first)) == [oai_id(library.a)]
    token = first.find(".//o:resumptionToken", NS)
    assert token.get("completeListSize") == "2" and token.get("cursor") == "0"
    second = harvest(client, verb="ListRecords", resumptionToken=token.text)
    assert identifiers(second) == [oai_id(library.b)] and deleted_headers(second) == {}
    assert second.find(".//o:resumptionToken", NS).get("cursor") == "1"


def test_the_earliest_datestamp_counts_deleted_records(library, client, people):
    reject_title(library.a, people)
    DeletedRecord.objects.filter(report_id=library.a.pk).update(deleted_at=at("2019-01-02T03:04:05"))
    root = harvest(client, verb="Identify")
    assert root.findtext(".//o:earliestDatestamp", namespaces=NS) == "2019-01-02T03:04:05Z"
