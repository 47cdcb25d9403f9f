"""Pages for the library: the list, uploads, the review screen, the page viewer and downloads.

Views are thin over the selectors and services. Only library staff (national analysts and business managers)
may see a report before its proposals are confirmed: everyone else gets 403 on the library's own pages and
404 on a report's pages, so a report's existence is not disclosed.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from casereviews.core.audit import audit_record
from casereviews.core.errors import DomainError
from casereviews.core.files import blob_path
from casereviews.core.paging import ROWS_PER_PAGE
from casereviews.frameworks.services import framework_choices
from casereviews.learning import vocabulary
from casereviews.library import selectors, services
from casereviews.library.forms import CodeAddForm, DecisionForm, StatusFilterForm, UploadForm
from casereviews.library.models import ExtractedValue, Report, ReportPage, ReportStatus, ValueStatus
from casereviews.partnerships.models import User

# As every staff list (core.paging, ADR 0014): a page of rows rendered, not fifty.
REPORTS_PER_PAGE = ROWS_PER_PAGE

FIELD_LABELS = {
    "title": "Title",
    "partnership": "Partnership",
    "year_published": "Year published",
    "framework": "Framework",
    "review_type": "Type of review",
    "methodology": "Methodology",
    "outcome": "Outcome for the child",
    "death_category": "Category of death",
    "child.age_years": "Child's age in years",
    "child.age_text": "Child's age as the report gives it",
    "child.age_band": "Child's age band",
    "child.under_18": "Child under 18",
    "child.sex": "Child's sex",
    "child.ethnicity": "Child's ethnicity",
    "year_incident": "Year of the incident",
    "harm_source": "Source of harm",
    "child.looked_after": "Child looked after",
    "child.child_protection_plan": "Child subject to a child protection plan",
    "child.child_in_need": "Child in need",
    "child.known_to_social_care": "Child known to children's social care",
}

# The fields whose corrections must be one of a fixed set of codes (the service checks the same sets), shown as
# a select so that a person cannot type a code that does not exist.
CHOICE_FIELDS: dict[str, dict[str, str]] = {
    "framework": {code: code for code in services.CORRECTION_CHOICES["framework"]},  # named from the database per page
    "methodology": vocabulary.METHODOLOGIES,
    "outcome": vocabulary.OUTCOMES,
    "death_category": vocabulary.DEATH_CATEGORIES,
    "child.age_band": vocabulary.AGE_BANDS,
    "child.sex": vocabulary.SEXES,
    "child.under_18": {"yes": "Yes", "no": "No"},
    "harm_source": vocabulary.HARM_SOURCES,
    **{name: {"yes": "Yes", "no": "No"} for name in sorted(services.BOOLEAN_FIELDS - {"child.under_18"})},
}

CORRECTION_HINTS = {
    "year_published": "A year, such as 2021",
    "year_incident": "The year of the death or serious harm, such as 2021",
    "child.age_years": "In years: 1.5 for 18 months, 0.25 for 3 months",
}

STATUS_TAGS = {
    ValueStatus.PROPOSED: "govuk-tag--yellow",
    ValueStatus.ACCEPTED: "govuk-tag--green",
    ValueStatus.CORRECTED: "govuk-tag--turquoise",
    ValueStatus.REJECTED: "govuk-tag--red",
}

REPORT_TAGS = {
    ReportStatus.QUEUED: "govuk-tag--grey",
    ReportStatus.PROCESSING: "",
    ReportStatus.READY: "govuk-tag--green",
    ReportStatus.FAILED: "govuk-tag--red",
}

PII_LABELS = {
    "KNOWN_NAME": "A name known in the case",
    "NHS_NUMBER": "NHS number",
    "NI_NUMBER": "National Insurance number",
    "EMAIL": "Email address",
    "PHONE": "Telephone number",
    "REFERENCE": "Case or crime reference",
    "POSTCODE": "Postcode",
    "DATE_OF_BIRTH": "Date of birth",
    "SCHOOL": "School or nursery",
    "ADDRESS": "Street address",
    "PERSON": "Person's name",
    "DATE": "Date",
    "ORGANISATION": "Organisation",
    "LOCATION": "Place",
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _library_staff(request: HttpRequest) -> User:
    user = _user(request)
    if not services.can_manage_library(user):
        raise PermissionDenied
    return user


def _report_or_404(request: HttpRequest, pk: int, *, with_text: bool = False) -> Report:
    reports = selectors.library_reports_for(_user(request))
    return get_object_or_404(reports.defer(None) if with_text else reports, pk=pk)


def _audit_view(request: HttpRequest, report: Report, summary: str, action: str = "report.view") -> None:
    audit_record(actor=_user(request), action=action, target=report, summary=summary)


# -- the list and uploads ------------------------------------------------------------------------------------


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    user = _library_staff(request)
    form = StatusFilterForm(request.GET or None)
    # Meta.ordering does not apply to the selector's aggregate query, so the order is given here.
    reports = selectors.library_reports_for(user).order_by("-uploaded_at", "-pk")
    if form.is_valid() and form.cleaned_data["status"]:
        reports = reports.filter(status=form.cleaned_data["status"])
    page_obj = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    counts = selectors.library_progress()
    return render(
        request,
        "library/list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": [(report, REPORT_TAGS[ReportStatus(report.status)]) for report in page_obj.object_list],
            "status_counts": [(status.label, counts[status.value]) for status in ReportStatus],
        },
    )


@dataclass
class UploadOutcome:
    added: list[Report] = field(default_factory=list)
    already: list[tuple[str, Report]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _upload_each(user: User, files: list[UploadedFile]) -> UploadOutcome:
    """Each file on its own: one that cannot be read is refused with its reason and leaves nothing behind,
    without holding back the others."""
    outcome = UploadOutcome()
    limit = services.library_limits().max_bytes
    for upload in files:
        name = os.path.basename(upload.name or "") or "report"
        if (upload.size or 0) > limit:
            # Refused before reading, so an oversized upload never sits in memory; the service would say the same.
            outcome.refused.append(
                f"{name}: this file is {(upload.size or 0) / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB"
            )
            continue
        try:
            result = services.report_upload(uploaded_by=user, filename=name, data=upload.read(), source="upload")
        except DomainError as error:
            outcome.refused.append(error.message)
            continue
        if result.created:
            outcome.added.append(result.report)
        else:
            outcome.already.append((name, result.report))
    return outcome


@login_required
@require_http_methods(["GET", "POST"])
def report_upload(request: HttpRequest) -> HttpResponse:
    user = _library_staff(request)
    outcome = UploadOutcome()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            outcome = _upload_each(user, form.cleaned_data["reports"])
            for reason in outcome.refused:
                form.add_error("reports", reason)
            if not outcome.refused and not outcome.already:
                count = len(outcome.added)
                messages.success(
                    request,
                    f"{count} report{'s' if count != 1 else ''} added to the library. "
                    "Each is being analysed; its proposals will be ready to review shortly.",
                )
                return redirect("library:list")
    else:
        form = UploadForm()
    return render(
        request, "library/upload.html", {"form": form, "added": outcome.added, "already": outcome.already}
    )


# -- the review screen -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLink:
    page: int | None
    quote: str
    url: str


@dataclass(frozen=True)
class ValueRow:
    """One extracted value as the review screen shows it."""

    value: ExtractedValue
    label: str
    shown: str
    proposed: str
    evidence: list[EvidenceLink]
    tag_class: str
    correction: str  # what the correction field starts with
    kind: str  # how it is corrected: "choice", "text", "long_text", or "" when it is only accepted or rejected
    choices: list[tuple[str, str]]
    hint: str
    form: DecisionForm | None  # this value's submitted form, when it came back with a problem


def value_label(value: ExtractedValue) -> str:
    if value.field in services.CODE_FIELDS:
        return services.CODE_FIELDS[value.field].get(value.key, value.key)
    if value.field == "agencies":
        return value.key
    if value.field in services.ITEM_FIELDS:
        item = value.proposed_value if isinstance(value.proposed_value, dict) else {}
        noun = "Recommendation" if value.field == "recommendations" else "Finding"
        return f"{noun} {item.get('number') or int(value.key or 0)}"
    return FIELD_LABELS.get(value.field, value.field)


def choice_fields() -> dict[str, dict[str, str]]:
    """The choice fields with each framework called by its name, as its stored definition gives it."""
    names = dict(framework_choices())
    return {**CHOICE_FIELDS, "framework": {code: names.get(code, code) for code in CHOICE_FIELDS["framework"]}}


def value_in_words(field_name: str, raw: Any, choices: dict[str, dict[str, str]] = CHOICE_FIELDS) -> str:
    if raw is None:
        return "Not found"
    if field_name in services.CODE_FIELDS:
        return "Present" if raw else "Not present"
    if isinstance(raw, bool):
        return "Yes" if raw else "No"
    if field_name in services.ITEM_FIELDS and isinstance(raw, dict):
        return str(raw.get("text", ""))
    if field_name == "child.age_years" and isinstance(raw, int | float):
        return f"{round(raw, 2):g}"
    if field_name in choices:
        return choices[field_name].get(str(raw), str(raw))
    return str(raw)


def _correction_start(value: ExtractedValue) -> str:
    current = value.current if value.status != ValueStatus.REJECTED else value.proposed_value
    if current is None:
        return ""
    if isinstance(current, bool):
        return "yes" if current else "no"
    if isinstance(current, dict):
        return str(current.get("text", ""))
    return str(current)


def _correction_kind(field_name: str) -> str:
    if field_name in services.CODE_FIELDS or field_name == "agencies":
        return ""
    if field_name in CHOICE_FIELDS:
        return "choice"
    return "long_text" if field_name in services.ITEM_FIELDS else "text"


def _page_url(report: Report, page: int, start: int, end: int) -> str:
    return f"{reverse('library:page', args=[report.pk, page])}?start={start}&end={end}#evidence"


def _value_row(
    report: Report, value: ExtractedValue, form: DecisionForm | None, choices: dict[str, dict[str, str]]
) -> ValueRow:
    evidence = [
        EvidenceLink(
            page=item.get("page"),
            quote=str(item.get("quote", "")),
            url=_page_url(report, item["page"], item.get("start", 0), item.get("end", 0)) if item.get("page") else "",
        )
        for item in value.evidence or []
    ]
    shown_raw = value.proposed_value if value.status == ValueStatus.REJECTED else value.current
    kind = _correction_kind(value.field)
    return ValueRow(
        value=value,
        label=value_label(value),
        shown=value_in_words(value.field, shown_raw, choices),
        proposed=value_in_words(value.field, value.proposed_value, choices),
        evidence=evidence,
        tag_class=STATUS_TAGS[ValueStatus(value.status)],
        correction=form.data.get("value", "") if form is not None else _correction_start(value),
        kind=kind,
        choices=list(choices.get(value.field, {}).items()),
        hint=CORRECTION_HINTS.get(value.field, ""),
        form=form,
    )


@dataclass(frozen=True)
class PiiRow:
    kind: str
    page: int
    url: str


def _pii_rows(report: Report, pages: list[ReportPage]) -> list[PiiRow]:
    starts = [page.start for page in pages]
    rows = []
    for finding in report.pii_findings:
        index = bisect.bisect_right(starts, finding["start"]) - 1
        if index < 0:
            continue
        page = pages[index]
        label = PII_LABELS.get(finding["type"], finding["type"].replace("_", " ").capitalize())
        rows.append(PiiRow(label, page.number, _page_url(report, page.number, finding["start"], finding["end"])))
    return rows


def _present_codes(report: Report) -> list[tuple[str, str]]:
    """Codes the report already carries (proposed or confirmed): adding them again would change nothing."""
    return [
        (value.field, value.key)
        for value in report.values.filter(field__in=list(services.CODE_FIELDS)).exclude(status=ValueStatus.REJECTED)
    ]


def _review_context(
    report: Report, *, failed: tuple[int, DecisionForm] | None = None, code_form: CodeAddForm | None = None
) -> dict[str, Any]:
    pages = list(report.pages.all())
    groups: list[tuple[str, str, list[ValueRow]]] = []
    if report.status == ReportStatus.READY:
        choices = choice_fields()
        for index, (label, values) in enumerate(selectors.review_groups(report), start=1):
            rows = [_value_row(report, v, failed[1] if failed and failed[0] == v.pk else None, choices)
                    for v in values]
            groups.append((f"group-{index}", label, rows))
    awaiting = sum(1 for _, _, rows in groups for row in rows if row.value.status == ValueStatus.PROPOSED)
    return {
        "report": report,
        "report_tag": REPORT_TAGS[ReportStatus(report.status)],
        "is_finished": report.status in {ReportStatus.READY, ReportStatus.FAILED},
        "groups": [(anchor, label, rows, sum(r.value.status == ValueStatus.PROPOSED for r in rows))
                   for anchor, label, rows in groups],
        "awaiting": awaiting,
        "first_page": pages[0] if pages else None,
        "pii_rows": _pii_rows(report, pages),
        "code_form": code_form or CodeAddForm(present=_present_codes(report)),
        # The error summary at the top shows whichever form on the page came back with a problem.
        "form": failed[1] if failed else code_form,
    }


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    _audit_view(request, report, f"Viewed {report} in the library")
    return render(request, "library/detail.html", _review_context(report))


@login_required
def report_status(request: HttpRequest, pk: int) -> JsonResponse:
    """How far analysis has got, for the review screen to poll while it waits. Shows nothing of the content."""
    report = _report_or_404(request, pk)
    return JsonResponse(
        {
            "status": report.status,
            "label": report.get_status_display(),
            "progress": report.progress,
            "failure_reason": report.failure_reason,
            "finished": report.status in {ReportStatus.READY, ReportStatus.FAILED},
        }
    )


@login_required
@require_POST
def value_decide(request: HttpRequest, value_id: int) -> HttpResponse:
    user = _user(request)
    if not services.can_manage_library(user):
        raise Http404("No value found")
    value = get_object_or_404(ExtractedValue.objects.select_related("report"), pk=value_id)
    report = _report_or_404(request, value.report_id)
    form = DecisionForm(request.POST, value_id=value.pk)
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            services.value_decide(
                actor=user,
                value=value,
                decision=decision,
                corrected=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            # Back to the value just decided, so that a long review keeps its place; its status tag says the rest.
            return redirect(f"{reverse('library:detail', args=[report.pk])}#value-{value.pk}")
    return render(request, "library/detail.html", _review_context(report, failed=(value.pk, form)))


@login_required
@require_POST
def code_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = _report_or_404(request, pk)
    form = CodeAddForm(request.POST, present=_present_codes(report))
    if form.is_valid():
        field_name, code = form.field_and_code()
        try:
            added = services.code_add(actor=user, report=report, field=field_name, code=code,
                                      note=form.cleaned_data["note"])
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, f"Added “{value_label(added)}” to this report.")
            return redirect("library:detail", pk=report.pk)
    return render(request, "library/detail.html", _review_context(report, code_form=form))


@login_required
@require_POST
def report_reprocess(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    services.report_reprocess(actor=_user(request), report=report)
    messages.success(request, "Extraction will run again. Decisions people have already made are kept.")
    return redirect("library:detail", pk=report.pk)


# -- the page viewer and the original file ---------------------------------------------------------------------


def _span_on(page: ReportPage, query: QueryDict) -> tuple[int, int] | None:
    """The part of the `?start=&end=` span (absolute offsets in the report's text) that lies on this page."""
    try:
        start, end = int(query.get("start", "")), int(query.get("end", ""))
    except ValueError:
        return None
    start, end = max(start, page.start), min(end, page.end)
    return (start, end) if start < end else None


@login_required
def report_page(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    report = _report_or_404(request, pk, with_text=True)
    page = get_object_or_404(ReportPage, report=report, number=number)
    span = _span_on(page, request.GET)
    # Three plain strings: the template escapes each, so report text can never become markup.
    if span is None:
        before, marked, after = report.text[page.start : page.end], "", ""
    else:
        before = report.text[page.start : span[0]]
        marked = report.text[span[0] : span[1]]
        after = report.text[span[1] : page.end]
    _audit_view(request, report, f"Viewed page {number} of {report} in the library")
    return render(
        request,
        "library/page.html",
        {
            "report": report,
            "page": page,
            "before": before,
            "marked": marked,
            "after": after,
            "previous_number": number - 1 if number > 1 else None,
            "next_number": number + 1 if number < report.page_count else None,
        },
    )


@login_required
def report_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    report = _report_or_404(request, pk)
    _audit_view(request, report, f"Downloaded the original file of {report}", action="report.download")
    # Always a download, never shown inline: an uploaded file must not run in our origin.
    return FileResponse(
        blob_path(report.sha256).open("rb"),
        as_attachment=True,
        filename=report.filename,
        content_type="application/octet-stream",
    )
