"""The admin: the registry (names may be corrected) and accounts with their roles. Submissions,
values and the audit trail are read-only here — figures change only through the forms and
uploads, states only through the review, so a locked submission cannot be changed here either."""

from django.contrib import admin

from nianbao.web.models import FieldValue, Membership, Org, StateChange, Submission, Task


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    list_display = ("code", "zh", "en", "level")
    list_filter = ("level",)
    search_fields = ("code", "zh", "en")
    readonly_fields = ("code", "level", "parent", "path", "school_type")

    def has_add_permission(self, request):
        return False  # the registry comes from the dataset's orgs.csv

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("org",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "org")
    list_filter = ("role",)
    search_fields = ("user__username", "org__code", "org__zh")
    autocomplete_fields = ("org",)


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("year", "deadline", "closed")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnly):
    list_display = ("org", "task", "state", "updated_at")
    list_filter = ("state", "task")
    search_fields = ("org__code", "org__zh")


@admin.register(FieldValue)
class FieldValueAdmin(ReadOnly):
    list_display = ("submission", "code", "text", "updated_at", "updated_by")
    search_fields = ("submission__org__code", "code")


@admin.register(StateChange)
class StateChangeAdmin(ReadOnly):
    list_display = ("submission", "transition", "source", "target", "by", "at", "reason")
