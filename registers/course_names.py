"""The names of a meal's courses (コース料理), as tickets and the waiter's page show them. Pure: no I/O."""

from __future__ import annotations

# The usual courses of a コース; a later one is called by its number.
NAMES = {1: ("前菜", "Starter"), 2: ("メイン", "Main"), 3: ("デザート", "Dessert")}


def course_name(course: int) -> tuple[str, str]:
    """Course ``course``'s (Japanese, English) name."""
    return NAMES.get(course, (f"{course}品目", f"Course {course}"))
