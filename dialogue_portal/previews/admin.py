"""Preview links on the publication's change page: made, listed (with when each was last
opened) and revoked there. Added in front of whichever publication admin is registered
(the desk's), as the redirects app does, so this app only adds."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dialogue_portal.core.links import absolute_url
from dialogue_portal.desk import services as desk
from dialogue_portal.previews import services
from dialogue_portal.previews.forms import PreviewLinkForm
from dialogue_portal.previews.models import PreviewLink
from publications.models import Publication


class PreviewLinksAdmin:
    """The "Preview links" panel below the publication's change form."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/previews/add/",
                view(require_POST(self.add_preview_link_view)),
                name="publications_publication_preview_add",
            ),
            path(
                "<path:object_id>/previews/<int:link_id>/revoke/",
                view(require_POST(self.revoke_preview_link_view)),
                name="publications_publication_preview_revoke",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if obj is not None:
            links = list(obj.preview_links.select_related("created_by", "revoked_by", "proposal"))
            for link in links:
                link.address = absolute_url(services.url_for(link))
            extra.update(
                preview_links=links,
                preview_form=PreviewLinkForm(),
                preview_offers_proposal=desk.open_proposal(obj) is not None,
                preview_can_change=self.has_change_permission(request, obj),
                previews_base_template=self.previews_base_template,
            )
        return super().change_view(request, object_id, form_url, extra)

    def _previewed(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _back(self, obj):
        url = reverse("admin:publications_publication_change", args=[obj.pk])
        return HttpResponseRedirect(f"{url}#preview-links")

    def add_preview_link_view(self, request, object_id):
        obj = self._previewed(request, object_id)
        form = PreviewLinkForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
            return self._back(obj)
        try:
            link = services.create_link(
                publication=obj,
                user=request.user,
                expires_at=form.cleaned_data["expires_at"],
                note=form.cleaned_data["note"],
                with_proposal=form.cleaned_data["with_proposal"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return self._back(obj)
        messages.success(
            request,
            _("Preview link made: %(url)s") % {"url": absolute_url(services.url_for(link))},
        )
        return self._back(obj)

    def revoke_preview_link_view(self, request, object_id, link_id):
        obj = self._previewed(request, object_id)
        link = get_object_or_404(PreviewLink, pk=link_id, publication=obj)
        services.revoke(link=link, user=request.user)
        messages.success(request, _("The preview link was revoked: it opens nothing now."))
        return self._back(obj)


_registered = type(admin.site.get_model_admin(Publication))
admin.site.unregister(Publication)
admin.site.register(
    Publication,
    type(
        _registered.__name__,
        (PreviewLinksAdmin, _registered),
        {
            "change_form_template": "previews/publication_change_form.html",
            # The panel goes below the form of the admin it is put in front of.
            "previews_base_template": _registered.change_form_template or "admin/change_form.html",
        },
    ),
)
