from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from dialogue_portal.staff.models import AdminProfile

User = get_user_model()


class AdminProfileInline(admin.StackedInline):
    """A superuser sets another user's admin language on the user's page; every member of
    staff sets their own under "My preferences" in the admin's header."""

    model = AdminProfile
    can_delete = False
    fields = ["admin_language"]
    extra = 1
    max_num = 1


class UserWithProfileAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, AdminProfileInline]


admin.site.unregister(User)
admin.site.register(User, UserWithProfileAdmin)
