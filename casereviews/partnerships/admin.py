from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from casereviews.core.admin import AuditedAdmin
from casereviews.core.passwords import PasswordChangeFormWithMeter, UserCreationFormWithMeter
from casereviews.partnerships.models import Agency, FrameworkPeriod, Membership, Partnership, User


class FrameworkPeriodInline(admin.TabularInline):
    model = FrameworkPeriod
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(AuditedAdmin):
    list_display = ["name", "nation", "region"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FrameworkPeriodInline]


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ["name", "partnership", "sector"]
    list_filter = ["partnership"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class CaseReviewsUserAdmin(AuditedAdmin, UserAdmin):
    inlines = [MembershipInline]
    # Where a business unit sets someone's password, the strength meter shows what the server will accept (ASVS 2.1.8).
    add_form = UserCreationFormWithMeter
    change_password_form = PasswordChangeFormWithMeter
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Work", {"fields": ["full_name", "job_title", "organisation", "phone"]}),
    )
