from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """{{ mapping|get:key }}: a dict entry by a variable key (None when missing)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
