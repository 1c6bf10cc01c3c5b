"""Template filters for clinic.core.formats: `{{ value|human_date }}`, `{{ value|phone }}`,
`{{ zone|zone_name }}`."""

from django import template

from .. import formats

register = template.Library()

register.filter("human_date", formats.human_date)
register.filter("phone", formats.human_phone)
register.filter("zone_name", formats.zone_name)
