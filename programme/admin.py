from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from .models import (
    AuditEntry,
    Cohort,
    Invitation,
    Organisation,
    Person,
    Programme,
    Territory,
    Theme,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "role", "organisation", "person"]}),
        ("Droits", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Préférences", {"fields": ["digest_enabled"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "role", "organisation", "password1", "password2"]})]
    autocomplete_fields = ["organisation", "person"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siren", "town", "territory"]
    list_filter = ["family", "kind", "territory"]
    search_fields = ["name", "siren", "town"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "organisation", "email"]
    search_fields = ["last_name", "first_name", "email"]
    autocomplete_fields = ["organisation"]


admin.site.register(Programme)
admin.site.register(Cohort)
admin.site.register(Theme)
admin.site.register(Territory)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "organisation", "created_at", "expires_at", "accepted_at"]
    exclude = ["token_hash"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_repr"]
    list_filter = ["action"]

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
