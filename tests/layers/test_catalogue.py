"""The layer catalogue: the progress view's themes of the parcels layer hold a class for every value the server sends."""

from __future__ import annotations

from layers.catalogue import load_catalogue
from mujun.progress_lists import PROGRESS_CLASSES
from mujun.rules import STAGES


def test_the_parcels_themes_cover_every_stage_and_progress_class_and_the_unlisted() -> None:
    parcels = load_catalogue().get("parcels")
    assert parcels is not None
    themes = {theme.id: theme for theme in parcels.themes}
    assert [cls.value for cls in themes["stage"].classes] == [*STAGES, "unlisted"]
    assert [cls.value for cls in themes["progress"].classes] == [*PROGRESS_CLASSES, "unlisted"]
    assert (themes["stage"].property, themes["progress"].property) == ("stage", "progress")
    # A comma inside a label stays in it (an unquoted one in a YAML flow mapping would start another key, refused).
    assert themes["progress"].classes[0].label.en == "Due to start, not started"
    assert parcels.style.classes[-1].label.en == "No value (not assessed, outside zones)"
    for theme in themes.values():
        assert theme.title.zh and theme.title.en
        assert all(cls.label.zh and cls.label.en for cls in theme.classes)
