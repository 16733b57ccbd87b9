"""Response shapes for the OpenAPI docs: the parcel record of DESIGN.md and the answers built on it."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ParcelRecordOut(BaseModel):
    parcel_code: str
    project_code: str | None
    project_name: str | None
    enterprise: str | None
    industry: str | None
    project_type: str | None
    stage: str | None
    level: str | None
    zone_code: str | None = Field(description="the zone holding most of the parcel (None: outside every zone)")
    zone_name: str | None
    zone_class: str | None
    jurisdiction: str | None
    area_m2: float = Field(description="Gauss-Krüger (CGCS2000) area of the geometry, m²")
    recorded_area_m2: float | None = Field(description="出让面积 as recorded, m²")
    area_mu: float | None = Field(description="official area (the recorded one when given), 亩")
    project_area_mu: float | None = Field(description="official area of all the project's parcels, 亩")
    parcel_count: int | None = Field(description="parcels of the project")
    total_investment_wan: float | None = Field(description="the project's total investment, 万元")
    intensity_wan_per_mu: float | None = Field(description="万元/亩, the project's investment over its land")
    threshold_wan_per_mu: float | None = Field(description="万元/亩, of the zone the project is held against")
    ratio: float | None = Field(description="intensity / threshold, floored to 0.0001")
    status: str | None = Field(description="meets, below, not_assessed or outside_zone")
    band: str | None = Field(description="meets, below (0.8–1.0), far_below (< 0.8) or none")
    shortfall_wan: float | None = Field(description="万元 the project lacks to meet the threshold, counted once per project")
    flags: list[str] = Field(description="e.g. area_mismatch, straddles_zones, geometry_repaired")
    bbox: list[float] = Field(description="minLon, minLat, maxLon, maxLat")


class LookupOut(BaseModel):
    lon: float
    lat: float
    parcels: list[ParcelRecordOut] = Field(description="parcels containing the point, smallest first")
