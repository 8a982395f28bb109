from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from frontline.chat.services import settings_for

register = template.Library()


@register.simple_tag
def chat_widget(workspace) -> str:
    """The widget's script tag on the workspace's help-center pages (when chat is on)."""
    current = settings_for(workspace)
    if not current.enabled:
        return ""
    return format_html(
        '<script src="{}" data-frontline-chat="{}" async></script>',
        static("chat/widget.js"),
        current.key,
    )
