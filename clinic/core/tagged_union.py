"""Several small reads as one statement: each a part of a UNION ALL, tagged.

A page that reads a few short lists of different tables (working hours, time off, chairs)
waits for the database once if they are one statement. Each part names its columns alike
(a layout: name -> the column's type), takes what it has and NULL, typed as the column
is, for what it lacks, and starts with a tag saying which list a row belongs to.
"""

from django.db.models import Field, QuerySet, Value


def part(rows: QuerySet, tag: str, layout: dict[str, Field], **columns) -> QuerySet:
    """`rows` as one part: the tag, then `layout`'s columns in order (NULL where `columns`
    gives none), unordered (the union orders the whole)."""
    values = {
        name: columns[name] if name in columns else Value(None, output_field=field)
        for name, field in layout.items()
    }
    return rows.annotate(tag=Value(tag), **values).order_by().values_list("tag", *layout)
