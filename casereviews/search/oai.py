"""OAI-PMH 2.0 over the public catalogue, so that library catalogues and aggregators can harvest it.

Records are the reports in the public library (`public_reports()`) as unqualified Dublin Core (`oai_dc`), built
from the catalogue entry, so a harvester sees exactly what the public catalogue shows: confirmed values only.

A record's datestamp is the last time anything public about it changed: the latest human decision on one of its
values, or its upload. Sets: `nation` and `nation:<code>`, `partnership` and `partnership:<slug>`.
A report that leaves the public library (its title rejected, a catalogue field sent back to a proposal, the
report deleted) is kept as a deleted record (`search.models.DeletedRecord`, written by the change's own
transaction): its header says `status="deleted"`, its datestamp is when it left, and it keeps the sets it was
in, so selective harvesting by date or set hears of it. They are kept for good (`deletedRecord` `persistent`).
Lists are paged by report id with a resumption token that is the cursor itself, signed and stamped with its
expiry, so the server keeps no harvest state and a token cannot be forged or edited.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db.models import DateTimeField, Max, Min, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.text import slugify
from lxml import etree

from casereviews.learning import vocabulary
from casereviews.library.models import ExtractedValue, ValueStatus
from casereviews.partnerships.models import Partnership
from casereviews.search.catalogue import SITE_NAME, CatalogueEntry, absolute, catalogue_entry
from casereviews.search.documents import CONFIRMED, FRAMEWORK_NATIONS, public_reports
from casereviews.search.models import DeletedRecord

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

PAGE_SIZE = 50
TOKEN_LIFETIME = datetime.timedelta(hours=24)
_SALT = "casereviews.search.oai.resumption"
_SECONDS = "%Y-%m-%dT%H:%M:%SZ"

VERBS: dict[str, tuple[set[str], set[str]]] = {
    # verb: (required arguments, optional arguments); resumptionToken is handled apart (it is exclusive).
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
_RESUMABLE = {"ListIdentifiers", "ListRecords", "ListSets"}


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Harvest:
    """What a list request asks for, and where in the list it has got to."""

    metadata_prefix: str
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    set_spec: str = ""
    after: int = 0  # the last report id already sent


# -- identifiers, dates, tokens ---------------------------------------------------------------------------------


def repository_identifier() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def identifier_for(report_id: int) -> str:
    return f"oai:{repository_identifier()}:report/{report_id}"


def report_id_of(identifier: str) -> int | None:
    prefix = f"oai:{repository_identifier()}:report/"
    rest = identifier[len(prefix) :] if identifier.startswith(prefix) else ""
    # ASCII digits only: str.isdigit() also passes "²", which int() refuses.
    return int(rest) if rest.isascii() and rest.isdigit() and len(rest) <= 18 else None


def base_url() -> str:
    return absolute("/oai")


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime(_SECONDS)


def parse_date(raw: str, *, end_of_day: bool) -> tuple[datetime.datetime, str]:
    """A from/until argument in either granularity the repository supports, and which granularity it used."""
    try:
        if len(raw) == 10:
            day = datetime.datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=datetime.UTC)
            return (day + datetime.timedelta(days=1, microseconds=-1) if end_of_day else day), "day"
        moment = datetime.datetime.strptime(raw, _SECONDS).replace(tzinfo=datetime.UTC)
        return (moment + datetime.timedelta(microseconds=999_999) if end_of_day else moment), "seconds"
    except ValueError:
        raise OaiError("badArgument", f"'{raw}' is not a date as YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC)") from None


def token_for(harvest: Harvest, *, verb: str, now: datetime.datetime) -> tuple[str, datetime.datetime]:
    expires = now + TOKEN_LIFETIME
    payload = {
        "v": verb,
        "m": harvest.metadata_prefix,
        "f": harvest.start.isoformat() if harvest.start else None,
        "u": harvest.end.isoformat() if harvest.end else None,
        "s": harvest.set_spec,
        "a": harvest.after,
        "x": int(expires.timestamp()),
    }
    return signing.dumps(payload, salt=_SALT, compress=True), expires


def harvest_from_token(token: str, *, verb: str, now: datetime.datetime) -> Harvest:
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise OaiError("badResumptionToken", "The resumption token is not one this repository issued") from None
    if payload.get("v") != verb:
        raise OaiError("badResumptionToken", f"The resumption token does not belong to {verb}")
    if int(payload["x"]) < now.timestamp():
        raise OaiError("badResumptionToken", "The resumption token has expired; start the list again")
    return Harvest(
        metadata_prefix=payload["m"],
        start=datetime.datetime.fromisoformat(payload["f"]) if payload["f"] else None,
        end=datetime.datetime.fromisoformat(payload["u"]) if payload["u"] else None,
        set_spec=payload["s"],
        after=int(payload["a"]),
    )


# -- what the repository holds ---------------------------------------------------------------------------------


# QuerySet[Any]: the rows carry `modified`, an annotation the Report type does not know.
def records(*, start: datetime.datetime | None = None, end: datetime.datetime | None = None) -> QuerySet[Any]:
    """Public reports modified between `start` and `end`, with `modified`: the later of the upload and the latest
    decision on any of its values."""
    found = (
        public_reports()
        .annotate(
            modified=Greatest(
                "uploaded_at",
                Coalesce(Max("values__decided_at"), "uploaded_at"),
                output_field=DateTimeField(),
            )
        )
        .defer("text", "sections", "pii_findings", "read_warnings")
        .order_by("pk")
    )
    if start:
        found = found.filter(modified__gte=start)
    if end:
        found = found.filter(modified__lte=end)
    return found


def deleted_records(
    *, start: datetime.datetime | None = None, end: datetime.datetime | None = None
) -> QuerySet[DeletedRecord]:
    """Reports that left the public library between `start` and `end` and have not returned to it."""
    found = DeletedRecord.objects.exclude(report_id__in=public_reports().values("pk")).order_by("report_id")
    if start:
        found = found.filter(deleted_at__gte=start)
    if end:
        found = found.filter(deleted_at__lte=end)
    return found


def _places() -> dict[str, tuple[str, str]]:
    return {
        name.casefold(): (nation, slugify(name)) for name, nation in Partnership.objects.values_list("name", "nation")
    }


def set_memberships(report_ids: Iterable[int] | None = None) -> dict[int, set[str]]:
    """Each public report's sets (leaf setSpecs), from its confirmed partnership and framework."""
    rows = ExtractedValue.objects.filter(
        report__in=public_reports(), field__in=("partnership", "framework"), key="", status__in=CONFIRMED
    )
    if report_ids is not None:
        rows = rows.filter(report_id__in=list(report_ids))
    current: dict[int, dict[str, str]] = {}
    for report_id, field_name, status, proposed, corrected in rows.values_list(
        "report_id", "field", "status", "proposed_value", "corrected_value"
    ):
        value = corrected if status == ValueStatus.CORRECTED else proposed
        current.setdefault(report_id, {})[field_name] = str(value or "").strip()
    places = _places()
    memberships: dict[int, set[str]] = {}
    for report_id, fields in current.items():
        specs: set[str] = set()
        partnership = fields.get("partnership", "")
        nation, _ = places.get(partnership.casefold(), ("", ""))
        nation = nation or FRAMEWORK_NATIONS.get(fields.get("framework", ""), "")
        if nation:
            specs.add(f"nation:{nation}")
        if partnership and slugify(partnership):
            specs.add(f"partnership:{slugify(partnership)}")
        memberships[report_id] = specs
    return memberships


def all_sets() -> list[tuple[str, str]]:
    """(setSpec, setName) for every set with a public report, parents first."""
    names: dict[str, str] = {}
    partnership_names = {
        slugify(str(row["corrected_value"] if row["status"] == ValueStatus.CORRECTED else row["proposed_value"])): str(
            row["corrected_value"] if row["status"] == ValueStatus.CORRECTED else row["proposed_value"]
        ).strip()
        for row in ExtractedValue.objects.filter(
            report__in=public_reports(), field="partnership", key="", status__in=CONFIRMED
        ).values("status", "proposed_value", "corrected_value")
    }
    for specs in set_memberships().values():
        for spec in specs:
            kind, code = spec.split(":", 1)
            if kind == "nation":
                names[spec] = vocabulary.NATIONS.get(code, code)
            else:
                names[spec] = partnership_names.get(code, code)
    parents = [("nation", "Reviews by nation"), ("partnership", "Reviews by partnership")]
    present = [parent for parent in parents if any(spec.startswith(parent[0] + ":") for spec in names)]
    return present + sorted(names.items(), key=lambda item: (item[0].split(":")[0], item[1].casefold()))


def _in_set(spec: str, memberships: Mapping[int, set[str]], report_id: int) -> bool:
    return any(member == spec or member.startswith(spec + ":") for member in memberships.get(report_id, ()))


def _select(harvest: Harvest) -> tuple[QuerySet[Any], QuerySet[DeletedRecord]]:
    """The public records and the deleted ones a list request selects."""
    found = records(start=harvest.start, end=harvest.end)
    deleted = deleted_records(start=harvest.start, end=harvest.end)
    if harvest.set_spec:
        memberships = set_memberships()
        found = found.filter(pk__in=[pk for pk in memberships if _in_set(harvest.set_spec, memberships, pk)])
        left = {row.report_id: set(row.sets) for row in deleted.only("report_id", "sets")}
        deleted = deleted.filter(report_id__in=[pk for pk in left if _in_set(harvest.set_spec, left, pk)])
    return found, deleted


# -- the XML ----------------------------------------------------------------------------------------------------


def _element(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    child = etree.SubElement(parent, tag, attributes)
    if text is not None:
        child.text = text
    return child


def _header(
    parent: etree._Element, report_id: int, modified: datetime.datetime, specs: Iterable[str], *, deleted: bool = False
) -> None:
    header = _element(parent, f"{{{OAI_NS}}}header", **({"status": "deleted"} if deleted else {}))
    _element(header, f"{{{OAI_NS}}}identifier", identifier_for(report_id))
    _element(header, f"{{{OAI_NS}}}datestamp", _stamp(modified))
    leaves = sorted(specs)
    parents = sorted({spec.split(":")[0] for spec in leaves})
    for spec in [*parents, *leaves]:
        _element(header, f"{{{OAI_NS}}}setSpec", spec)


def _dublin_core(parent: etree._Element, entry: CatalogueEntry, review_type: str) -> None:
    metadata = _element(parent, f"{{{OAI_NS}}}metadata")
    dc = etree.SubElement(
        metadata,
        f"{{{OAI_DC_NS}}}dc",
        {f"{{{XSI_NS}}}schemaLocation": f"{OAI_DC_NS} {OAI_DC_SCHEMA}"},
        nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS},
    )
    values: list[tuple[str, str]] = [("title", entry.title)]
    if entry.partnership:
        values.append(("creator", entry.partnership))
    values += [("subject", keyword.label) for keyword in entry.keywords]
    if entry.summary:
        values.append(("description", entry.summary))
    values.append(("publisher", SITE_NAME))
    if entry.year:
        values.append(("date", str(entry.year)))
    values.append(("type", "Text"))
    if review_type:
        values.append(("type", review_type))
    values += [("format", "text/html"), ("identifier", absolute(entry.url)), ("language", "en")]
    values += [("coverage", value) for label, value in entry.fields if label in {"Nation", "Region"}]
    for name, text in values:
        _element(dc, f"{{{DC_NS}}}{name}", text)


def _record(parent: etree._Element, report: Any, specs: set[str], *, with_metadata: bool) -> None:
    if not with_metadata:
        _header(parent, report.pk, report.modified, specs)
        return
    entry = catalogue_entry(report.pk)
    if entry is None:  # left the public library since the list was read
        return
    record = _element(parent, f"{{{OAI_NS}}}record")
    _header(record, report.pk, report.modified, specs)
    review_type = next((value for label, value in entry.fields if label == "Type of review"), "")
    _dublin_core(record, entry, review_type)


def _deleted_record(parent: etree._Element, row: DeletedRecord, *, with_metadata: bool) -> None:
    """A deleted record is its header alone, marked deleted; in ListRecords and GetRecord, inside a record."""
    container = _element(parent, f"{{{OAI_NS}}}record") if with_metadata else parent
    _header(container, row.report_id, row.deleted_at, row.sets, deleted=True)


def _envelope(arguments: Mapping[str, str], *, now: datetime.datetime, echo: bool) -> etree._Element:
    root = etree.Element(
        f"{{{OAI_NS}}}OAI-PMH",
        {f"{{{XSI_NS}}}schemaLocation": f"{OAI_NS} {OAI_SCHEMA}"},
        nsmap={None: OAI_NS, "xsi": XSI_NS},
    )
    _element(root, f"{{{OAI_NS}}}responseDate", _stamp(now))
    # After badVerb or badArgument the request element carries no attributes (the arguments were not legal).
    _element(root, f"{{{OAI_NS}}}request", base_url(), **(dict(arguments) if echo else {}))
    return root


# -- the verbs --------------------------------------------------------------------------------------------------


def _check_arguments(params: Mapping[str, list[str]]) -> tuple[str, dict[str, str]]:
    verbs = params.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "The verb is missing, repeated or not an OAI-PMH verb")
    verb = verbs[0]
    arguments = {name: values for name, values in params.items() if name != "verb"}
    repeated = [name for name, values in arguments.items() if len(values) != 1]
    if repeated:
        raise OaiError("badArgument", f"Arguments may not be repeated: {', '.join(sorted(repeated))}")
    single = {name: values[0] for name, values in arguments.items()}
    required, optional = VERBS[verb]
    if "resumptionToken" in single:
        if verb not in _RESUMABLE:
            raise OaiError("badArgument", f"{verb} does not take a resumptionToken")
        if len(single) != 1:
            raise OaiError("badArgument", "A resumptionToken is an exclusive argument")
        return verb, single
    illegal = set(single) - required - optional
    if illegal:
        raise OaiError("badArgument", f"{verb} does not take {', '.join(sorted(illegal))}")
    missing = required - set(single)
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(sorted(missing))}")
    return verb, single


def _harvest(arguments: Mapping[str, str], verb: str, now: datetime.datetime) -> Harvest:
    if "resumptionToken" in arguments:
        return harvest_from_token(arguments["resumptionToken"], verb=verb, now=now)
    start = end = None
    granularities = set()
    if "from" in arguments:
        start, granularity = parse_date(arguments["from"], end_of_day=False)
        granularities.add(granularity)
    if "until" in arguments:
        end, granularity = parse_date(arguments["until"], end_of_day=True)
        granularities.add(granularity)
    if len(granularities) > 1:
        raise OaiError("badArgument", "from and until must have the same granularity")
    if start and end and start > end:
        raise OaiError("badArgument", "from must not be later than until")
    return Harvest(arguments.get("metadataPrefix", ""), start, end, arguments.get("set", ""))


def _check_prefix(prefix: str) -> None:
    if prefix != "oai_dc":
        raise OaiError("cannotDisseminateFormat", f"'{prefix}' is not a metadata format of this repository; use oai_dc")


def _identify(root: etree._Element) -> None:
    identify = _element(root, f"{{{OAI_NS}}}Identify")
    dates = [
        records().aggregate(earliest=Min("modified"))["earliest"],
        deleted_records().aggregate(earliest=Min("deleted_at"))["earliest"],
    ]
    earliest = min((date for date in dates if date is not None), default=None)
    for name, text in (
        ("repositoryName", f"{SITE_NAME}: published child safeguarding case reviews"),
        ("baseURL", base_url()),
        ("protocolVersion", "2.0"),
        ("adminEmail", getattr(settings, "OAI_ADMIN_EMAIL", settings.DEFAULT_FROM_EMAIL)),
        ("earliestDatestamp", _stamp(earliest or datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))),
        ("deletedRecord", "persistent"),
        ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
    ):
        _element(identify, f"{{{OAI_NS}}}{name}", text)


def _metadata_formats(root: etree._Element, arguments: Mapping[str, str]) -> None:
    if "identifier" in arguments:
        report_id = report_id_of(arguments["identifier"])
        exists = report_id is not None and (
            public_reports().filter(pk=report_id).exists() or deleted_records().filter(report_id=report_id).exists()
        )
        if not exists:
            raise OaiError("idDoesNotExist", f"No record has the identifier '{arguments['identifier']}'")
    formats = _element(root, f"{{{OAI_NS}}}ListMetadataFormats")
    dc = _element(formats, f"{{{OAI_NS}}}metadataFormat")
    _element(dc, f"{{{OAI_NS}}}metadataPrefix", "oai_dc")
    _element(dc, f"{{{OAI_NS}}}schema", OAI_DC_SCHEMA)
    _element(dc, f"{{{OAI_NS}}}metadataNamespace", OAI_DC_NS)


def _list_sets(root: etree._Element, arguments: Mapping[str, str]) -> None:
    if "resumptionToken" in arguments:
        # Every set fits in one response, so this repository never issues a ListSets token.
        raise OaiError("badResumptionToken", "The resumption token is not one this repository issued")
    element = _element(root, f"{{{OAI_NS}}}ListSets")
    for spec, name in all_sets():
        one = _element(element, f"{{{OAI_NS}}}set")
        _element(one, f"{{{OAI_NS}}}setSpec", spec)
        _element(one, f"{{{OAI_NS}}}setName", name)


def _get_record(root: etree._Element, arguments: Mapping[str, str]) -> None:
    report_id = report_id_of(arguments["identifier"])
    report = records().filter(pk=report_id).first() if report_id is not None else None
    deleted = deleted_records().filter(report_id=report_id).first() if report_id is not None and not report else None
    if report is None and deleted is None:
        raise OaiError("idDoesNotExist", f"No record has the identifier '{arguments['identifier']}'")
    _check_prefix(arguments["metadataPrefix"])
    element = _element(root, f"{{{OAI_NS}}}GetRecord")
    if report is not None:
        _record(element, report, set_memberships([report.pk]).get(report.pk, set()), with_metadata=True)
    elif deleted is not None:
        _deleted_record(element, deleted, with_metadata=True)


def _list(root: etree._Element, verb: str, arguments: Mapping[str, str], now: datetime.datetime) -> None:
    harvest = _harvest(arguments, verb, now)
    _check_prefix(harvest.metadata_prefix)
    selected, deleted = _select(harvest)
    # Public and deleted records form one list in report id order (a report is never both).
    page: list[tuple[int, Any]] = sorted(
        [(report.pk, report) for report in selected.filter(pk__gt=harvest.after)[: PAGE_SIZE + 1]]
        + [(row.report_id, row) for row in deleted.filter(report_id__gt=harvest.after)[: PAGE_SIZE + 1]],
        key=lambda pair: pair[0],
    )[: PAGE_SIZE + 1]
    if not page:
        if harvest.after:
            # The records after the cursor left the public library while the harvest went on.
            _element(root, f"{{{OAI_NS}}}{verb}")
            return
        raise OaiError("noRecordsMatch", "No records match these arguments")
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    memberships = set_memberships([pk for pk, item in page if not isinstance(item, DeletedRecord)])
    element = _element(root, f"{{{OAI_NS}}}{verb}")
    for pk, item in page:
        if isinstance(item, DeletedRecord):
            _deleted_record(element, item, with_metadata=verb == "ListRecords")
        else:
            _record(element, item, memberships.get(pk, set()), with_metadata=verb == "ListRecords")
    if harvest.after or more:
        total = selected.count() + deleted.count()
        cursor = (
            selected.filter(pk__lte=harvest.after).count() + deleted.filter(report_id__lte=harvest.after).count()
            if harvest.after
            else 0
        )
        attributes = {"completeListSize": str(total), "cursor": str(cursor)}
        token = ""
        if more:
            token, expires = token_for(
                Harvest(harvest.metadata_prefix, harvest.start, harvest.end, harvest.set_spec, page[-1][0]),
                verb=verb,
                now=now,
            )
            attributes["expirationDate"] = _stamp(expires)
        _element(element, f"{{{OAI_NS}}}resumptionToken", token, **attributes)


def respond(params: Mapping[str, list[str]], *, now: datetime.datetime | None = None) -> bytes:
    """The OAI-PMH response document for a request's parameters (each name to all its values)."""
    now = now or timezone.now()
    echo = {name: values[0] for name, values in params.items() if values}
    try:
        verb, arguments = _check_arguments(params)
    except OaiError as error:
        root = _envelope(echo, now=now, echo=False)
        _element(root, f"{{{OAI_NS}}}error", error.message, code=error.code)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    root = _envelope(echo, now=now, echo=True)
    try:
        if verb == "Identify":
            _identify(root)
        elif verb == "ListMetadataFormats":
            _metadata_formats(root, arguments)
        elif verb == "ListSets":
            _list_sets(root, arguments)
        elif verb == "GetRecord":
            _get_record(root, arguments)
        else:
            _list(root, verb, arguments, now)
    except OaiError as error:
        if error.code == "badArgument":
            root = _envelope(echo, now=now, echo=False)
        else:
            for child in root[2:]:
                root.remove(child)
        _element(root, f"{{{OAI_NS}}}error", error.message, code=error.code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
