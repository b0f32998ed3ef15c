"""Money in the Django admin: read-mostly lists for support (changes go through the Financement tab, whose
services keep the rules and the audit trail)."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import Budget, Convention, FunderProgramme, FundingRequest, Instalment, Justification, Payment


@admin.register(FunderProgramme)
class FunderProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "funder", "opens_on", "closes_on"]
    search_fields = ["name", "funder__name"]


@admin.register(FundingRequest)
class FundingRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "funder", "status", "amount_requested", "amount_granted"]
    list_filter = ["status"]
    search_fields = ["title", "project__title", "funder__name"]
    readonly_fields = ["status", "amount_granted", "decided_on", "submitted_on"]


class ReadOnlyInline(admin.TabularInline):
    """A convention's schedule, payments and justifications, shown but never changed here: the Financement
    tab's services check the granted amount, the convention period and what payments already settled."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class InstalmentInline(ReadOnlyInline):
    model = Instalment


class PaymentInline(ReadOnlyInline):
    model = Payment


class JustificationInline(ReadOnlyInline):
    model = Justification


@admin.register(Convention)
class ConventionAdmin(admin.ModelAdmin):
    list_display = ["reference", "project", "signed_on", "amount_granted"]
    search_fields = ["reference", "project__title"]
    inlines = [InstalmentInline, PaymentInline, JustificationInline]


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["project", "phase", "version", "updated_at"]
    list_filter = ["phase", "version"]
