"""``{% memo name vary... %}…{% endmemo %}``: a reader-neutral part of every page (the
header's navigation, the footer) rendered once per process, per ``vary`` values and
content version, then copied into each page.

The site's chrome costs more to render than the floor page does in all (two dozen
``{% url %}`` and translations on every request), yet changes only with the language,
the section and editors' content. What goes inside must not depend on the reader, the
request's path or query, or the clock; put such parts between two memo blocks.
"""

import threading

from django import template
from django.utils.safestring import mark_safe

from dialogue_portal.core.pagecache import content_version

register = template.Library()

SIZE = 256
_held = {}
_lock = threading.Lock()


class MemoNode(template.Node):
    def __init__(self, name, vary_on, nodelist):
        self.name = name
        self.vary_on = vary_on
        self.nodelist = nodelist

    def render(self, context):
        key = (
            self.name,
            content_version(),
            *(str(variable.resolve(context)) for variable in self.vary_on),
        )
        html = _held.get(key)
        if html is None:
            html = self.nodelist.render(context)
            with _lock:
                if len(_held) >= SIZE:
                    _held.clear()
                _held[key] = html
        return mark_safe(html)  # noqa: S308 — the template engine escaped it when it rendered it


@register.tag
def memo(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% memo %} needs a name")
    name = bits[1].strip("\"'")
    vary_on = [parser.compile_filter(bit) for bit in bits[2:]]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(name, vary_on, nodelist)


class FragmentNode(template.Node):
    def __init__(self, fragments, name, nodelist):
        self.fragments = fragments
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        fragments = self.fragments.resolve(context)
        html = fragments.get(self.name)
        if html is None:
            html = self.nodelist.render(context)
            fragments.set(self.name, html)
        return mark_safe(html)  # noqa: S308 — rendered (and escaped) by the template engine


@register.tag
def fragment(parser, token):
    """``{% fragment fragments "name" %}…{% endfragment %}``: the part kept in
    ``fragments`` (a ``Fragments``) under ``name``, rendered only when it is missing."""
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError("{% fragment FRAGMENTS NAME %}")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(parser.compile_filter(bits[1]), bits[2].strip("\"'"), nodelist)
