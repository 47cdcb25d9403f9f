"""Changes to who holds which role in a partnership, made by its business manager.

A role gives access to confidential case material, so each change is the partnership's decision, made by one of its
business managers (never about themselves), recorded in the audit log, and effective at the person's next request:
every permission check reads the memberships afresh. Ending a role deletes the membership; the audit log keeps
who held it, from when it was given to when it was ended and by whom.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from casereviews.core.audit import audit_record
from casereviews.core.errors import InvalidInput, NotAllowed
from casereviews.partnerships.models import Agency, Membership, Partnership, Role, User
from casereviews.partnerships.selectors import PARTNERSHIP_ROLES


def _lock_business_managers(*, actor: User, partnership: Partnership) -> None:
    """Refuse unless `actor` is a business manager of `partnership`, holding their memberships until commit.

    The lock serialises two managers changing each other's roles at once, so that the second sees the first's
    change (the partnership cannot lose every manager by two managers ending each other's roles together)."""
    managers = set(
        Membership.objects.select_for_update()
        .filter(partnership=partnership, role=Role.BUSINESS_MANAGER)
        .values_list("user_id", flat=True)
    )
    if actor.pk not in managers:
        raise NotAllowed("Only the partnership's business manager changes who holds a role in it")


_OWN_ROLES = "You cannot change your own roles. Ask another business manager or the service's administrators."


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, field_errors={field: [message]})


def _summary(person: User, role: str, agency: Agency | None) -> dict[str, str]:
    return {
        "person": person.get_username(),
        "role": role,
        "agency": agency.name if agency is not None else "",
    }


@transaction.atomic
def membership_add(
    *, actor: User, partnership: Partnership, person: User, role: str, agency: Agency | None = None
) -> Membership:
    """Give `person` the role `role` in `partnership` (an agency lead leads one of its agencies)."""
    _lock_business_managers(actor=actor, partnership=partnership)
    if person.pk == actor.pk:
        raise NotAllowed(_OWN_ROLES)
    if not person.is_active:
        raise _invalid("person", "This account is switched off")
    if role not in PARTNERSHIP_ROLES:
        raise _invalid("role", "Choose a role a partnership gives")
    if role == Role.AGENCY_LEAD:
        if agency is None:
            raise _invalid("agency", "Choose the agency they lead")
        if agency.partnership_id != partnership.pk:
            raise _invalid("agency", "Choose one of this partnership's agencies")
    else:
        agency = None  # only an agency lead's role is tied to an agency
    label = Role(role).label
    already = _invalid("role", f"{person.display_name} is already {label.lower()} here")
    if Membership.objects.filter(user=person, partnership=partnership, role=role).exists():
        raise already
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=person, partnership=partnership, role=role, agency=agency)
    except IntegrityError as error:  # the same role given by someone else a moment ago
        raise already from error
    audit_record(
        actor=actor,
        action="membership.add",
        target=membership,
        partnership=partnership,
        summary=f"Gave {person.display_name} the role {label} in {partnership.name}",
        changes=_summary(person, role, agency),
    )
    return membership


@transaction.atomic
def membership_end(*, actor: User, membership: Membership) -> None:
    """End `membership`: its holder loses the role, and what it let them see, at their next request."""
    partnership = membership.partnership
    if partnership is None:
        raise NotAllowed("A national role is changed by the service's administrators")
    _lock_business_managers(actor=actor, partnership=partnership)
    current = Membership.objects.select_related("user", "agency").filter(pk=membership.pk).first()
    if current is None:
        raise InvalidInput("This role has already been ended")
    person = current.user
    if person.pk == actor.pk:
        raise NotAllowed(_OWN_ROLES)
    if current.role == Role.LEAD_REVIEWER:
        _refuse_while_appointed(person, partnership)
    label = current.get_role_display()
    audit_record(
        actor=actor,
        action="membership.end",
        target=current,
        partnership=partnership,
        summary=f"Ended {person.display_name}'s role {label} in {partnership.name}",
        changes=_summary(person, current.role, current.agency),
    )
    current.delete()


def _refuse_while_appointed(person: User, partnership: Partnership) -> None:
    # An appointment gives the reviewer their review whatever their role, so the role cannot end before it does.
    from casereviews.reviews.models import ReviewerAppointment

    open_reviews = list(
        ReviewerAppointment.objects.filter(reviewer=person, review__partnership=partnership, ended_on__isnull=True)
        .order_by("review__reference")
        .values_list("review__reference", flat=True)
    )
    if open_reviews:
        raise InvalidInput(
            f"{person.display_name} is the appointed lead reviewer of {', '.join(open_reviews)}. "
            "End the appointment on the review first."
        )
