"""Threads in the Django admin: read-only lists for support (messages are written through the threads,
whose service checks who may write what and tells the right people once)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Comment, CommentNotice


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(ReadOnly):
    list_display = ["created_at", "project", "author", "internal", "content_type", "object_id"]
    list_filter = ["internal"]
    search_fields = ["body", "project__title", "author__email"]


@admin.register(CommentNotice)
class CommentNoticeAdmin(ReadOnly):
    list_display = ["comment", "user", "mode", "sent_at"]
    list_filter = ["mode"]
