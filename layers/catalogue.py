"""The layer catalogue: `catalogue.yaml` validated into models."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field


class Label(BaseModel):
    # A comma in an unquoted YAML flow mapping ({zh: …, en: a, b}) ends the value and makes "b" a key: refused.
    model_config = ConfigDict(extra="forbid")

    zh: str
    en: str


class StyleClass(BaseModel):
    value: str
    label: Label
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    fill_color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    fill_opacity: float = Field(ge=0, le=1)
    weight: float = Field(ge=0)
    dash_array: str | None = None


class Style(BaseModel):
    property: str
    classes: list[StyleClass]


class Theme(Style):
    """Another way to draw a layer's features, by values the page gets elsewhere and sets on each feature as `property`
    (the progress view: each parcel's project's stage and progress class on the as-of month, `GET /api/progress/map`)."""

    id: str = Field(pattern=r"^[a-z_]+$")
    title: Label


class TileSettings(BaseModel):
    """How a layer is cut into vector tiles (`/tiles/{layer}/{z}/{x}/{y}.mvt`)."""

    min_zoom: int = Field(ge=0, le=24)
    max_zoom: int = Field(ge=0, le=24)
    properties: list[str]
    """The table's columns each tile feature carries (checked against the table, then quoted)."""
    simplify: float = Field(ge=0)
    """Douglas-Peucker tolerance in tile units (4096 to a tile's side)."""
    max_features: int = Field(gt=0)
    """At most this many features in a tile, the largest first."""
    max_bytes: int = Field(gt=0)
    """A tile larger than this is cut again with half the features, until it fits."""
    summary_layer: str | None = Field(default=None, pattern=r"^[a-z_]+$")
    """Below `min_zoom`, tiles carry this layer of per-zone summaries instead of the features."""


class Layer(BaseModel):
    id: str = Field(pattern=r"^[a-z_]+$")
    table: str = Field(pattern=r"^[a-z_]+$")
    key: str = Field(pattern=r"^[a-z_]+$")
    title: Label
    geometry: str
    min_zoom: int = Field(ge=0, le=24)
    max_zoom: int = Field(ge=0, le=24)
    feature_limit: int = Field(gt=0)
    properties: list[str] | Literal["parcel_record"]
    """The columns a feature carries, or the whole parcel record (DESIGN.md)."""
    style: Style
    tiles: TileSettings | None = None
    map_source: Literal["geojson", "tiles"] = "geojson"
    """How the page draws the layer: GeoJSON by bbox for small layers, vector tiles for large ones."""
    themes: list[Theme] = []
    """Other styles the page may draw the layer by, with their legend."""


class Overlay(BaseModel):
    """A map layer whose classes are rules decided on a date or in a year (`mujun.idle_land`, `mujun.evaluation`): the page
    asks `url` for them and draws either the parcel tiles by code (`parcel_classes`: `{"parcels": {code: class}}`) or
    the GeoJSON it answers (`geojson`, by bbox); never restated in tile SQL."""

    id: str = Field(pattern=r"^[a-z_]+$")
    title: Label
    source: Literal["parcel_classes", "geojson"]
    url: str = Field(pattern=r"^/api/[a-z/_]+$")
    parameter: Literal["as_of", "year"]
    """What the layer is drawn for: a date (`as_of`) or a year of figures (`year`)."""
    min_zoom: int = Field(ge=0, le=24)
    style: Style


class Catalogue(BaseModel):
    layers: list[Layer]
    overlays: list[Overlay] = []

    def get(self, layer_id: str) -> Layer | None:
        return next((layer for layer in self.layers if layer.id == layer_id), None)


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    text = (resources.files("layers") / "catalogue.yaml").read_text(encoding="utf-8")
    return Catalogue.model_validate(yaml.safe_load(text))
