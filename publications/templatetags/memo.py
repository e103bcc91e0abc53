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

from dialogue_portal.pagecache import content_version

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
