from django import template

register = template.Library()


@register.filter
def identifier(value: str) -> str:
    """SIREN as "732 829 320", SIRET as "732 829 320 00074", the way they are printed in France."""
    digits = "".join(c for c in str(value or "") if c.isdigit())
    if len(digits) == 9:
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    if len(digits) == 14:
        return f"{digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}"
    return value or ""
