"""Money in the Django admin: read-mostly lists for support (changes go through the Financement tab, whose
services keep the rules and the audit trail)."""

from django.contrib import admin

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


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    readonly_fields = ["received_on", "amount", "reference", "excess_reason", "recorded_by"]
    can_delete = False


class JustificationInline(admin.TabularInline):
    model = Justification
    extra = 0


@admin.register(Convention)
class ConventionAdmin(admin.ModelAdmin):
    list_display = ["reference", "project", "signed_on", "amount_granted"]
    search_fields = ["reference", "project__title"]
    inlines = [InstalmentInline, PaymentInline, JustificationInline]


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["project", "phase", "version", "updated_at"]
    list_filter = ["phase", "version"]
