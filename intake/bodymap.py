"""Pure: the body map of the pain step, and the ACR 2016 Widespread Pain Index areas
derived from it.

The patient ticks where it hurts on a finer map than the 19 WPI areas (hands, wrists,
feet, ankles, knees, head and face as well), so a foot that hurts is recorded as a foot.
The 19 WPI areas keep their codes on the map, so an older intake's `pain_regions` answer
(WPI codes only) is a valid body-map answer and scores the same.

ACR 2016 (Wolfe 2016) counts only the 19 areas: pain in a hand, wrist, foot, ankle, knee,
the head or the face is recorded for the clinician but is not a WPI area, so it adds
nothing to the WPI (mapping it to a neighbour would inflate the count against the
published instrument).

The drawing (front and back, as seen facing the person) is data here so the template draws
it with no logic; every area is also a real checkbox: the drawing is a visual aid only.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 200, 330  # the viewBox of each view


@dataclass(frozen=True)
class Area:
    code: str
    label: str
    group: str
    wpi: str | None  # the ACR 2016 WPI area this is, or None (not a WPI area)


@dataclass(frozen=True)
class Shape:
    """One drawn part: an ellipse (x, y = centre; w, h = radii) or a rect (x, y = corner)."""

    code: str
    view: str  # "front" or "back"
    kind: str  # "ellipse" or "rect"
    x: float
    y: float
    w: float
    h: float


GROUPS = (
    ("head", "Head and neck"),
    ("trunk", "Chest, belly and back"),
    ("right_arm", "Right arm"),
    ("left_arm", "Left arm"),
    ("right_leg", "Right leg"),
    ("left_leg", "Left leg"),
)


def _sided(code: str, label: str, side_group: str, wpi: bool) -> tuple[Area, Area]:
    """The right and left areas of one part ("arm" groups go by side; "head" does not)."""
    return tuple(
        Area(
            f"{code}_{side}",
            f"{label}, {side}",
            side_group if side_group == "head" else f"{side}_{side_group}",
            f"{code}_{side}" if wpi else None,
        )
        for side in ("right", "left")
    )


AREAS: tuple[Area, ...] = (
    Area("head", "Head (top, sides or back)", "head", None),
    Area("face", "Face", "head", None),
    *_sided("jaw", "Jaw", "head", True),
    Area("neck", "Neck", "head", "neck"),
    Area("chest", "Chest", "trunk", "chest"),
    Area("abdomen", "Abdomen (belly)", "trunk", "abdomen"),
    Area("upper_back", "Upper back", "trunk", "upper_back"),
    Area("lower_back", "Lower back", "trunk", "lower_back"),
    *_sided("shoulder_girdle", "Shoulder", "arm", True),
    *_sided("upper_arm", "Upper arm", "arm", True),
    *_sided("lower_arm", "Lower arm (forearm)", "arm", True),
    *_sided("wrist", "Wrist", "arm", False),
    *_sided("hand", "Hand or fingers", "arm", False),
    *_sided("hip", "Hip or buttock", "leg", True),
    *_sided("upper_leg", "Upper leg (thigh)", "leg", True),
    *_sided("knee", "Knee", "leg", False),
    *_sided("lower_leg", "Lower leg (calf or shin)", "leg", True),
    *_sided("ankle", "Ankle", "leg", False),
    *_sided("foot", "Foot or toes", "leg", False),
)
AREA_BY_CODE = {a.code: a for a in AREAS}
WPI_OF = {a.code: a.wpi for a in AREAS if a.wpi}


def wpi_areas(selected) -> set[str]:
    """The ACR 2016 WPI areas among these body-map answers (unknown codes ignored)."""
    if not isinstance(selected, list | tuple | set | frozenset):
        return set()
    return {WPI_OF[code] for code in selected if isinstance(code, str) and code in WPI_OF}


def grouped() -> list[tuple[str, list[Area]]]:
    """(group title, areas) in map order, for the checklist's fieldsets."""
    return [(title, [a for a in AREAS if a.group == key]) for key, title in GROUPS]


# ----------------------------------------------------------------------------- drawing

# Each paired part drawn once at the viewer's left; it is mirrored for the other side. On
# the front view the viewer's left is the person's right; on the back view, their left.
_PAIRED = {
    "jaw": (("front", "ellipse", 91, 47, 5, 4),),
    "shoulder_girdle": (("front", "ellipse", 74, 72, 13, 8), ("back", "ellipse", 74, 72, 13, 8)),
    "upper_arm": (("front", "rect", 55, 80, 14, 42), ("back", "rect", 55, 80, 14, 42)),
    "lower_arm": (("front", "rect", 50, 124, 13, 38), ("back", "rect", 50, 124, 13, 38)),
    "wrist": (("front", "rect", 49, 164, 13, 8), ("back", "rect", 49, 164, 13, 8)),
    "hand": (("front", "ellipse", 55, 184, 8, 11), ("back", "ellipse", 55, 184, 8, 11)),
    "hip": (("front", "ellipse", 85, 156, 12, 10), ("back", "ellipse", 88, 160, 13, 12)),
    "upper_leg": (("front", "rect", 80, 170, 18, 56), ("back", "rect", 80, 174, 18, 52)),
    "knee": (("front", "ellipse", 89, 234, 9, 8), ("back", "ellipse", 89, 234, 9, 8)),
    "lower_leg": (("front", "rect", 81, 243, 16, 52), ("back", "rect", 81, 243, 16, 52)),
    "ankle": (("front", "rect", 82, 297, 14, 8), ("back", "rect", 82, 297, 14, 8)),
    "foot": (("front", "ellipse", 86, 314, 11, 7), ("back", "ellipse", 89, 312, 8, 6)),
}
_SINGLE = (
    ("head", "back", "ellipse", 100, 28, 17, 21),
    ("face", "front", "ellipse", 100, 28, 15, 18),
    ("neck", "front", "rect", 93, 51, 14, 12),
    ("neck", "back", "rect", 93, 51, 14, 12),
    ("chest", "front", "rect", 80, 66, 40, 40),
    ("abdomen", "front", "rect", 82, 108, 36, 38),
    ("upper_back", "back", "rect", 80, 66, 40, 42),
    ("lower_back", "back", "rect", 82, 110, 36, 36),
)


def _mirror(kind: str, x: float, w: float) -> float:
    return WIDTH - x if kind == "ellipse" else WIDTH - x - w


def _shapes() -> tuple[Shape, ...]:
    out = [Shape(code, *rest) for code, *rest in _SINGLE]
    for part, drawn in _PAIRED.items():
        for view, kind, x, y, w, h in drawn:
            near, far = ("right", "left") if view == "front" else ("left", "right")
            out.append(Shape(f"{part}_{near}", view, kind, x, y, w, h))
            out.append(Shape(f"{part}_{far}", view, kind, _mirror(kind, x, w), y, w, h))
    return tuple(out)


SHAPES = _shapes()


def shapes(view: str) -> list[Shape]:
    return [s for s in SHAPES if s.view == view]
