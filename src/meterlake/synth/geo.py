"""Meter locations: spatial clusters (neighbourhoods) in and around London."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

LATITUDE_RANGE = (51.3, 51.7)
LONGITUDE_RANGE = (-0.5, 0.3)
_CENTRE_LATITUDES = (51.40, 51.62)
_CENTRE_LONGITUDES = (-0.38, 0.18)
_METERS_PER_CLUSTER = 30
_CLUSTERS = (5, 20)


@dataclass(frozen=True, eq=False)
class GeoLayout:
    """Latitude, longitude and neighbourhood cluster of every meter index."""

    latitude: npt.NDArray[np.float64]
    longitude: npt.NDArray[np.float64]
    cluster: npt.NDArray[np.int64]

    def distances_from(self, meter_index: int) -> npt.NDArray[np.float64]:
        """Approximate distance (degrees of latitude) of every meter from one meter."""
        lat = self.latitude - self.latitude[meter_index]
        lon = (self.longitude - self.longitude[meter_index]) * np.cos(np.radians(51.5))
        return np.asarray(np.hypot(lat, lon))


def place_meters(meters: int, rng: np.random.Generator) -> GeoLayout:
    """Scatter meters around 5-20 neighbourhood centres."""
    clusters = int(np.clip(meters // _METERS_PER_CLUSTER, *_CLUSTERS))
    centre_lat = rng.uniform(*_CENTRE_LATITUDES, clusters)
    centre_lon = rng.uniform(*_CENTRE_LONGITUDES, clusters)
    spread = rng.uniform(0.006, 0.02, clusters)
    cluster = rng.choice(clusters, size=meters, p=rng.dirichlet(np.full(clusters, 2.0)))
    latitude = centre_lat[cluster] + rng.normal(0.0, 1.0, meters) * spread[cluster]
    longitude = centre_lon[cluster] + rng.normal(0.0, 1.6, meters) * spread[cluster]
    return GeoLayout(
        latitude=np.clip(latitude, *LATITUDE_RANGE),
        longitude=np.clip(longitude, *LONGITUDE_RANGE),
        cluster=cluster.astype(np.int64),
    )
