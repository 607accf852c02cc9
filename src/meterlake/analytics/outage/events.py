"""Outage events from candidate runs and ERR records: one row per event, one per meter in it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import xxhash

from meterlake import schema
from meterlake.analytics.outage.chance import Background, chance
from meterlake.analytics.outage.cluster import distance_km, link
from meterlake.analytics.outage.density import Density
from meterlake.analytics.outage.grid import Runs
from meterlake.analytics.outage.params import OutageParams

Ints = npt.NDArray[np.int64]
_KEY = np.int64(1) << 32  # meter index * _KEY + interval: one sortable key
_PLACE = ("centroid_lat", "centroid_long", "min_lat", "max_lat", "min_long", "max_long")


@dataclass(frozen=True, eq=False)
class Fleet:
    """What is known of each meter index: id, position (NaN when unknown), customers."""

    meter_id: npt.NDArray[np.str_]
    lat: npt.NDArray[np.float64]
    long: npt.NDArray[np.float64]
    customers: Ints


@dataclass(frozen=True, eq=False)
class Evidence:
    """Items to link: candidate runs (``err`` when an ERR record falls in them) and ERR points."""

    meter: Ints
    start: Ints
    end: Ints
    err: npt.NDArray[np.bool_]
    point: npt.NDArray[np.bool_]


def gather_evidence(runs: Runs, err_meter: Ints, err_slot: Ints, tolerance: int) -> Evidence:
    """Mark runs that hold (or follow within ``tolerance``) an ERR record of their meter.

    ERR records outside every run become one-interval points (duplicates dropped).
    """
    order = np.lexsort((runs.start, runs.meter))
    runs = runs.take(order)
    keys = runs.meter * _KEY + runs.start
    found = np.searchsorted(keys, err_meter * _KEY + err_slot + tolerance, side="right") - 1
    safe = np.maximum(found, 0)
    inside = (found >= 0) & (runs.meter[safe] == err_meter) & (err_slot < runs.end[safe])
    err = np.zeros(runs.meter.size, dtype=np.bool_)
    err[safe[inside]] = True
    point_keys = np.unique(err_meter[~inside] * _KEY + err_slot[~inside])
    point_meter, point_start = point_keys // _KEY, point_keys % _KEY
    points = point_meter.size
    return Evidence(
        meter=np.concatenate([runs.meter, point_meter]),
        start=np.concatenate([runs.start, point_start]),
        end=np.concatenate([runs.end, point_start + 1]),
        err=np.concatenate([err, np.ones(points, dtype=np.bool_)]),
        point=np.concatenate([np.zeros(runs.meter.size, dtype=np.bool_), np.ones(points, bool)]),
    )


def build_events(
    evidence: Evidence,
    fleet: Fleet,
    params: OutageParams,
    origin: np.datetime64,
    background: Background,
) -> tuple[pa.Table, pa.Table]:
    """Link the evidence and return the ``outage_events`` and ``outage_meters`` tables."""
    where = (fleet.lat[evidence.meter], fleet.long[evidence.meter])
    labels = link(evidence.start, evidence.end, where, evidence.point, params)
    items = pd.DataFrame(
        {
            "label": labels,
            "meter": evidence.meter,
            "start": evidence.start,
            "end": evidence.end,
            "err": evidence.err,
            "point": evidence.point,
        }
    )
    items = _core(items, params.tolerance)
    groups, items = _judged(items, fleet, params, background)
    events = _event_times(items).join(groups["chance"])
    members = _members(items, events)
    events["event_id"] = event_ids(_times(events["start"], params, origin), members, fleet)
    return _events_table(events, members, fleet, params, origin), _members_table(
        members, events, fleet, params, origin
    )


def _core(items: pd.DataFrame, tolerance: int) -> pd.DataFrame:
    """Items within ``tolerance`` of their component's median start (and restoration, for runs).

    Linking is transitive, so runs starting one interval apart each can chain into a long
    staircase; an outage is the runs that start and end together, not the staircase.
    """
    runs = items[~items["point"]]
    middle = runs.groupby("label")[["start", "end"]].median()
    middle = middle.combine_first(items.groupby("label")[["start", "end"]].median())
    centre = middle.reindex(items["label"])
    near_start = np.abs(items["start"].to_numpy() - centre["start"].to_numpy()) <= tolerance
    near_end = np.abs(items["end"].to_numpy() - centre["end"].to_numpy()) <= tolerance
    core: pd.DataFrame = items[near_start & (near_end | items["point"].to_numpy())]
    return core


def _judged(
    items: pd.DataFrame, fleet: Fleet, params: OutageParams, background: Background
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The accepted components (with their ``chance``) and the items that make them.

    Runs of at least ``min_meters`` meters are an event when they are too unlikely to line up by
    chance (``chance`` <= ``max_chance``). An ERR record is an event on its own, but the runs of
    other meters that happen to start with it join only when they pass the same test: an ERR
    record does not vouch for a neighbour's unrelated gap.
    """
    runs = items[~items["point"]]
    groups = items.groupby("label").agg(err=("err", "any"))
    groups["run_meters"] = runs.groupby("label")["meter"].nunique()
    groups["run_meters"] = groups["run_meters"].fillna(0).astype(np.int64)
    groups["chance"] = 1.0
    judged = groups.index[groups["run_meters"] >= params.min_meters]
    if len(judged):
        runs = runs[runs["label"].isin(judged)]
        length = (runs["end"] - runs["start"]).groupby(runs["label"]).median()
        meters = runs.drop_duplicates(["label", "meter"])
        neighbours = _neighbours(
            meters["label"].to_numpy(), meters["meter"].to_numpy(), fleet, params
        )
        groups.loc[judged, "chance"] = chance(
            groups.loc[judged, "run_meters"].to_numpy(np.int64),
            np.floor(length.reindex(judged).to_numpy()).astype(np.int64),
            neighbours.reindex(judged).to_numpy(np.int64),
            background,
            params.tolerance,
        )
    significant = groups["chance"] <= params.max_chance
    groups = groups[groups["err"] | significant]
    groups.loc[groups["err"], "chance"] = 0.0
    vouched = significant.reindex(items["label"]).fillna(False).to_numpy(np.bool_)
    kept: pd.DataFrame = items[items["label"].isin(groups.index) & (vouched | items["err"])]
    return groups, kept


def _neighbours(label: Ints, meter: Ints, fleet: Fleet, params: OutageParams) -> pd.Series:
    """Meters placed within ``radius_km`` of a component's extent, per label."""
    frame = pd.DataFrame({"label": label, "lat": fleet.lat[meter], "long": fleet.long[meter]})
    centre = frame.groupby("label")[["lat", "long"]].mean()
    spread = distance_km(
        frame["lat"].to_numpy(),
        frame["long"].to_numpy(),
        centre["lat"].reindex(frame["label"]).to_numpy(),
        centre["long"].reindex(frame["label"]).to_numpy(),
    )
    reach = pd.Series(spread).groupby(frame["label"].to_numpy()).max() + params.radius_km
    density = Density.of(fleet.lat, fleet.long, params.radius_km / 4)
    counts = density.around(
        centre["lat"].to_numpy(),
        centre["long"].to_numpy(),
        np.asarray(reach.reindex(centre.index), dtype=np.float64),
    )
    return pd.Series(counts, index=centre.index)


def _event_times(items: pd.DataFrame) -> pd.DataFrame:
    """Start and restoration interval of each event, and its source.

    Runs vote with their median start and restoration. ERR-only events span their records: the
    readings show no silent interval, so a single record is a momentary interruption (restored
    within the interval, duration 0).
    """
    runs = items[~items["point"]].groupby("label")[["start", "end"]].median()
    points = (
        items[items["point"]].groupby("label").agg(start=("start", "min"), end=("start", "max"))
    )
    times = runs.combine_first(points).apply(np.floor).astype(np.int64)
    flags = (
        items.assign(run=~items["point"])
        .groupby("label")
        .agg(err=("err", "any"), runs=("run", "sum"))
    )
    source = np.where(flags["runs"] == 0, "err", np.where(flags["err"], "both", "inferred"))
    return times.assign(source=pd.Series(source, index=flags.index))


def _members(items: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """One row per event and meter: its own start and restoration, and its evidence."""
    own = items.join(events[["start", "end"]], on="label", rsuffix="_event")
    own["start"] = own["start"].where(~own["point"], own["start_event"])
    own["end"] = own["end"].where(~own["point"], own["end_event"])
    members = own.groupby(["label", "meter"]).agg(
        start=("start", "min"), end=("end", "max"), err=("err", "any"), points=("point", "all")
    )
    members["source"] = np.where(
        members["points"], "err", np.where(members["err"], "both", "inferred")
    )
    return members.reset_index()


def event_ids(starts: pd.Series, members: pd.DataFrame, fleet: Fleet) -> pd.Series:
    """Stable ids from the start and the set of meters, e.g. ``20130103T0930-9f2c41ab``.

    The meters' part is the XOR of each meter id's 64-bit xxhash (order does not matter).
    """
    if members.empty:
        return pd.Series([], index=starts.index, dtype=object)
    used = np.unique(members["meter"].to_numpy())
    hashes = np.zeros(fleet.meter_id.size, dtype=np.uint64)
    hashes[used] = [xxhash.xxh3_64_intdigest(str(fleet.meter_id[m]).encode()) for m in used]
    ordered = members.sort_values("label")
    labels = ordered["label"].to_numpy()
    firsts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    digest = np.bitwise_xor.reduceat(hashes[ordered["meter"].to_numpy()], firsts)
    text = pd.Series([f"{value:016x}"[:8] for value in digest], index=labels[firsts])
    stamps = pd.to_datetime(starts).dt.strftime("%Y%m%dT%H%M")
    return stamps + "-" + text.reindex(starts.index)


def _times(slots: pd.Series, params: OutageParams, origin: np.datetime64) -> pd.Series:
    step = np.timedelta64(params.interval_minutes, "m")
    return pd.Series(origin + slots.to_numpy() * step, index=slots.index).astype("datetime64[us]")


def _events_table(
    events: pd.DataFrame,
    members: pd.DataFrame,
    fleet: Fleet,
    params: OutageParams,
    origin: np.datetime64,
) -> pa.Table:
    start, restoration = (
        _times(events["start"], params, origin),
        _times(events["end"], params, origin),
    )
    members = members.assign(
        lat=fleet.lat[members["meter"]],
        long=fleet.long[members["meter"]],
        customers=fleet.customers[members["meter"]],
    )
    place = (
        members.groupby("label")
        .agg(
            meters=("meter", "nunique"),
            customers=("customers", "sum"),
            centroid_lat=("lat", "mean"),
            centroid_long=("long", "mean"),
            min_lat=("lat", "min"),
            max_lat=("lat", "max"),
            min_long=("long", "min"),
            max_long=("long", "max"),
        )
        .reindex(events.index)
    )
    frame = pd.DataFrame(
        {
            "event_id": events["event_id"],
            "start": start,
            "restoration": restoration,
            "duration_minutes": (events["end"] - events["start"]) * float(params.interval_minutes),
            "meters_affected": place["meters"],
            "customers_affected": place["customers"],
            **{name: place[name] for name in _PLACE},
            "source": events["source"],
            "confidence": (1.0 - events["chance"]).round(6),
        }
    )
    frame = frame.sort_values(["start", "event_id"])
    return pa.Table.from_pandas(frame[schema.OUTAGE_EVENTS.names], schema.OUTAGE_EVENTS, False)


def _members_table(
    members: pd.DataFrame,
    events: pd.DataFrame,
    fleet: Fleet,
    params: OutageParams,
    origin: np.datetime64,
) -> pa.Table:
    frame = pd.DataFrame(
        {
            "event_id": events["event_id"].reindex(members["label"]).to_numpy(),
            "meter_id": fleet.meter_id[members["meter"]],
            "start": _times(members["start"], params, origin),
            "restoration": _times(members["end"], params, origin),
            "customers": fleet.customers[members["meter"]],
            "source": members["source"],
        }
    ).sort_values(["start", "event_id", "meter_id"])
    return pa.Table.from_pandas(frame, schema.OUTAGE_METERS, preserve_index=False)
