"""How an audit event reads on the audit page and in its export, per reader.

Old and new answer values are clinical: only a reader with clinical access sees them; a
clinic admin sees which answers changed, not what they said.
"""


def what(event) -> str:
    """The record or page the event is about, in words."""
    if event.patient_ids:
        count = len(event.patient_id_list)
        return f"{event.page_label}: {count} patient{'s' if count != 1 else ''} listed"
    target = f"{event.target_type} #{event.target_id}" if event.target_type else ""
    return " · ".join(p for p in (event.page_label, target) if p)


def changes(event, *, clinical: bool) -> str:
    changed = event.detail.get("changes") or {}
    if not changed:
        return ""
    if not clinical:
        return "Changed: " + ", ".join(changed) + " (values shown to clinicians only)"
    return "; ".join(f"{key}: {old!r} → {new!r}" for key, (old, new) in changed.items())


def other_detail(event) -> str:
    rest = {k: v for k, v in event.detail.items() if k not in ("changes", "count")}
    return "; ".join(f"{k}: {v}" for k, v in rest.items())


def row(event, user) -> dict:
    clinical = user.has_perm("accounts.view_clinical_answers")
    return {
        "event": event,
        "what": what(event),
        "detail": " ".join(
            part for part in (changes(event, clinical=clinical), other_detail(event)) if part
        ),
    }
