"""Checks on what editors upload: images that are really JPEG, PNG or WebP within
size and pixel limits, and PDFs that really are PDFs. Stored names are generated,
so nothing an uploader names a file can reach the path on disk."""

import uuid
import warnings
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image

IMAGE_FORMATS = {"JPEG": {".jpg", ".jpeg"}, "PNG": {".png"}, "WEBP": {".webp"}}


def _safe_name(filename: str, default_stem: str, extension: str) -> str:
    stem = slugify(PurePath(str(filename)).stem)[:60] or default_stem
    return f"{stem}{extension}"


def banner_upload_to(instance: Model | None, filename: str) -> str:
    """``upload_to`` of banners. ``instance``, the row the file belongs to, is unused (the
    archive import names a file before it makes the row, and passes None)."""
    extension = PurePath(str(filename)).suffix.lower()
    if extension not in {ext for exts in IMAGE_FORMATS.values() for ext in exts}:
        extension = ".img"
    today = timezone.now()
    return (
        f"images/{today:%Y/%m}/{uuid.uuid4().hex[:12]}/{_safe_name(filename, 'image', extension)}"
    )


def attachment_upload_to(instance: Model | None, filename: str) -> str:
    """``upload_to`` of attachments; ``instance`` as for ``banner_upload_to``."""
    today = timezone.now()
    return f"files/{today:%Y/%m}/{uuid.uuid4().hex[:12]}/{_safe_name(filename, 'document', '.pdf')}"


def _already_stored(upload: File) -> bool:
    """A file saved before (checked when it was uploaded): re-saving the form must not reopen it."""
    return getattr(upload, "_committed", False)


def check_storage_reachable() -> None:
    """The media storage answers (S3 in production), so the upload can be stored: when it
    does not, the editor gets a form error and nothing of the form is saved, instead of an
    error page in the middle of the save. Asked once per new upload (one lookup)."""
    try:
        default_storage.exists("health-check")
    except Exception:  # boto3, botocore and the OS raise many types for a store away
        raise ValidationError(
            _(
                "The file store cannot be reached just now, so the file could not be saved. "
                "Nothing was saved: please try again in a few minutes."
            )
        ) from None


def validate_image_upload(upload: File | None) -> None:
    """JPEG, PNG or WebP only, the extension matching the content, within byte and pixel limits."""
    if not upload or _already_stored(upload):
        return
    if upload.size > settings.BANNER_MAX_BYTES:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.BANNER_MAX_BYTES),
            }
        )
    # (A File is true only with a name, so ``or ""`` never applies here.)
    extension = PurePath(upload.name or "").suffix.lower()
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
                width, height = image.size
                if width * height > settings.BANNER_MAX_PIXELS:
                    raise ValidationError(
                        _("The image is %(w)s×%(h)s pixels; the limit is %(limit)s million pixels.")
                        % {
                            "w": width,
                            "h": height,
                            "limit": settings.BANNER_MAX_PIXELS // 1_000_000,
                        }
                    )
                if getattr(image, "n_frames", 1) > 1:
                    raise ValidationError(_("Animated images are not accepted."))
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("The image has too many pixels to be processed safely.")) from None
    except Exception:  # Pillow raises many types for a broken or foreign file.
        raise ValidationError(
            _("The file is not a valid image. Upload a JPEG, PNG or WebP image.")
        ) from None
    finally:
        upload.seek(position)
    if image_format not in IMAGE_FORMATS:
        # Whole sentences for translators rather than a fragment filled into one.
        if not image_format:
            raise ValidationError(
                _("This kind of image is not accepted. Upload a JPEG, PNG or WebP image.")
            )
        raise ValidationError(
            _("%(format)s images are not accepted. Upload a JPEG, PNG or WebP image.")
            % {"format": image_format}
        )
    if extension not in IMAGE_FORMATS[image_format]:
        if not extension:
            raise ValidationError(
                _("The file name has no extension but the file is a %(format)s image.")
                % {"format": image_format}
            )
        raise ValidationError(
            _("The file name ends in “%(ext)s” but the file is a %(format)s image.")
            % {"ext": extension, "format": image_format}
        )
    check_storage_reachable()


def validate_pdf_upload(upload: File | None) -> None:
    """A real PDF: the right extension, the PDF signature, a readable structure with pages."""
    if not upload or _already_stored(upload):
        return
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            }
        )
    if PurePath(upload.name or "").suffix.lower() != ".pdf":  # named: see above
        raise ValidationError(_("Only PDF files (ending in .pdf) can be attached."))
    from pypdf import PdfReader

    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        head = upload.read(1024)
        if b"%PDF-" not in head:
            raise ValidationError(_("The file is not a PDF document."))
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(upload, strict=False)
            if len(reader.pages) < 1:
                raise ValidationError(_("The PDF has no pages."))
    except ValidationError:
        raise
    except Exception:  # pypdf raises many types for a damaged file.
        raise ValidationError(_("The PDF is damaged and cannot be read.")) from None
    finally:
        upload.seek(position)
    check_storage_reachable()
