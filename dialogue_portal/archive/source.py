"""An archive to import: a folder or a zip, read by relative path and never unpacked.

Whatever an archive names, only its own files are read: a path that is absolute, climbs
out with ``..`` or is a symlink refuses the whole archive, and so does a zip whose
entries declare (or turn out to hold) more than the limits allow. Nothing is written
while reading, so nothing outside MEDIA_ROOT (nor inside it) is touched."""

import stat
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _


class ArchiveRefused(Exception):
    """The archive as a whole cannot be imported; the message says why and names the entry."""


def member_limit():
    """The largest file an archive may hold: the largest upload the admin accepts, or the
    manifest limit."""
    return max(settings.BANNER_MAX_BYTES, settings.ATTACHMENT_MAX_BYTES, manifest_limit())


def manifest_limit():
    return settings.ARCHIVE_MANIFEST_MAX_BYTES


def clean_relative_path(name):
    """``name`` as a safe relative POSIX path, or ArchiveRefused."""
    if "\\" in name or "\x00" in name:
        raise ArchiveRefused(_("“%(name)s”: a path with a backslash or NUL.") % {"name": name})
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and path.parts[0].endswith(":")):
        raise ArchiveRefused(_("“%(name)s”: an absolute path.") % {"name": name})
    if ".." in path.parts:
        raise ArchiveRefused(_("“%(name)s”: a path that leaves the archive.") % {"name": name})
    return str(path)


class FolderSource:
    def __init__(self, root):
        self.root = Path(root).resolve()
        self.label = str(root)

    def names(self):
        found = []
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root).as_posix()
            if path.is_symlink():
                raise ArchiveRefused(_("“%(name)s”: a symbolic link.") % {"name": relative})
            if path.is_file():
                found.append(relative)
        return found

    def read(self, name, limit):
        relative = clean_relative_path(name)
        path = self.root / relative
        if path.is_symlink() or not path.resolve().is_relative_to(self.root):
            raise FileNotFoundError(name)
        if not path.is_file():
            raise FileNotFoundError(name)
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise OversizedFile(name)
        return data

    def close(self):
        pass


class OversizedFile(Exception):
    pass


class ZipSource:
    """A zip checked before anything is read: entry names, symlinks, the count of entries,
    each entry's declared size and compression ratio, and their declared total; each read
    then stops at the declared size (a zip that lies about it is refused)."""

    def __init__(self, path_or_file):
        try:
            self.zip = zipfile.ZipFile(path_or_file)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise ArchiveRefused(
                _("Not a readable zip file (%(error)s).") % {"error": error}
            ) from None
        self.label = str(getattr(path_or_file, "name", path_or_file))
        self.entries = {}
        total = 0
        infos = self.zip.infolist()
        if len(infos) > settings.ARCHIVE_MAX_ENTRIES:
            raise ArchiveRefused(
                _("The zip holds %(count)s entries; the limit is %(limit)s.")
                % {"count": len(infos), "limit": settings.ARCHIVE_MAX_ENTRIES}
            )
        for info in infos:
            name = info.filename
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ArchiveRefused(_("“%(name)s”: a symbolic link.") % {"name": name})
            clean = clean_relative_path(name.rstrip("/") if info.is_dir() else name)
            if info.is_dir():
                continue
            if info.file_size > member_limit():
                raise ArchiveRefused(
                    _("“%(name)s” expands to %(size)s bytes; the limit is %(limit)s.")
                    % {"name": name, "size": info.file_size, "limit": member_limit()}
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and ratio > settings.ARCHIVE_MAX_RATIO:
                raise ArchiveRefused(
                    _("“%(name)s” is compressed %(ratio)d to 1: refused as a zip bomb.")
                    % {"name": name, "ratio": ratio}
                )
            total += info.file_size
            if clean in self.entries:
                raise ArchiveRefused(_("“%(name)s” appears twice in the zip.") % {"name": name})
            self.entries[clean] = info
        if total > settings.ARCHIVE_MAX_BYTES:
            raise ArchiveRefused(
                _("The zip expands to %(size)s bytes; the limit is %(limit)s.")
                % {"size": total, "limit": settings.ARCHIVE_MAX_BYTES}
            )

    def names(self):
        return sorted(self.entries)

    def read(self, name, limit):
        info = self.entries.get(clean_relative_path(name))
        if info is None:
            raise FileNotFoundError(name)
        if info.file_size > limit:
            raise OversizedFile(name)
        try:
            with self.zip.open(info) as handle:
                data = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise ArchiveRefused(
                _("“%(name)s” cannot be read (%(error)s).") % {"name": name, "error": error}
            ) from None
        if len(data) != info.file_size:
            # More (or less) than the entry declared: a forged header.
            raise ArchiveRefused(
                _("“%(name)s” holds a different size than it declares.") % {"name": name}
            )
        return data

    def close(self):
        self.zip.close()


def open_source(path_or_file):
    if isinstance(path_or_file, (str, Path)) and Path(path_or_file).is_dir():
        return FolderSource(path_or_file)
    return ZipSource(path_or_file)
