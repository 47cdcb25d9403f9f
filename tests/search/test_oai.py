"""OAI-PMH 2.0 at /oai: each verb, dates, sets, resumption tokens, and each error a harvester can cause.

The OAI-PMH XSD cannot be fetched here, so responses are checked by parsing them with lxml and reading the
elements the protocol requires."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from lxml import etree

from casereviews.library.models import Report
from casereviews.search import oai
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
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "no"
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
