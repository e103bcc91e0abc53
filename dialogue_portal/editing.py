"""What every admin of content readers see shares: an editorial save or delete makes the
cached pages, counts and term lists stale at once (``pagecache.bump_content_version``)."""

from dialogue_portal.pagecache import bump_content_version


class ChangesContentMixin:
    """For admins of what pages show: saving or deleting makes the caches stale at once."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.before_readers_see(form.instance)
        bump_content_version()

    def before_readers_see(self, obj):
        """What must be stored before the caches move on to the change (nothing here)."""

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_content_version()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        bump_content_version()
