"""Who may do what before and after publication.

The case key and the redaction gate (the scan, its findings and the decisions on them) are for the
partnership's business manager and chair only. Sub-group members are case staff and see the drafts, but not the
findings: a finding of type KNOWN_NAME shows which strings are on the deny list, so the findings disclose the
case key itself. Only the business manager publishes and answers requests for a report after its window.
Lead reviewers, agency leads, referrers, analysts, other partnerships and the public see only the public page.
"""

from __future__ import annotations

import rules

from casereviews.reviews.rules import is_review_business_manager, is_review_chair

rules.add_perm("publication.view_case_key", is_review_business_manager | is_review_chair)
rules.add_perm("publication.edit_case_key", is_review_business_manager | is_review_chair)
rules.add_perm("publication.redact", is_review_business_manager | is_review_chair)
rules.add_perm("publication.publish", is_review_business_manager)
rules.add_perm("publication.answer_requests", is_review_business_manager)
