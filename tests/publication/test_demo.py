"""The demo publication: invented reviews published through the real gate, and safe to load twice."""

from __future__ import annotations

import io

import pypdfium2
import pytest

from casereviews.core.files import read_blob
from casereviews.publication.demo import DEMO_REVIEWS, publication_demo_load
from casereviews.publication.models import Publication, RedactionFinding
from casereviews.reviews.models import ReviewStatus

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_one_review_online_and_one_on_request_without_any_real_name(people):
    first = publication_demo_load()
    assert [p.review.status for p in first] == [ReviewStatus.PUBLISHED, ReviewStatus.ON_REQUEST]
    assert not RedactionFinding.objects.filter(decision="pending").exists()
    for publication, spec in zip(first, DEMO_REVIEWS, strict=True):
        document = pypdfium2.PdfDocument(io.BytesIO(read_blob(publication.file_sha256)))
        text = " ".join(page.get_textpage().get_text_range() for page in document).lower()
        assert not any(term.lower() in text for term in spec["deny"])
        assert spec["pseudonym"].lower() in text
        assert publication.library_report is not None
    assert publication_demo_load() == first
    assert Publication.objects.count() == 2
