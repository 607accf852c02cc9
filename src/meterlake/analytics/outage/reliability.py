"""IEEE 1366 reliability indices from customer interruptions and customers served."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reliability:
    """SAIFI, SAIDI (minutes) and CAIDI (minutes) of one period and area.

    SAIFI = customer interruptions / customers served; SAIDI = customer minutes of interruption
    / customers served; CAIDI = SAIDI / SAIFI (undefined, ``None``, without interruptions).
    """

    customers_served: int
    customer_interruptions: int
    customer_minutes: float
    events: int
    saifi: float | None
    saidi: float | None
    caidi: float | None


def reliability_indices(
    customers_served: int, customer_interruptions: int, customer_minutes: float, events: int
) -> Reliability:
    """The indices; ``None`` where a denominator is zero."""
    saifi = customer_interruptions / customers_served if customers_served else None
    saidi = customer_minutes / customers_served if customers_served else None
    caidi = customer_minutes / customer_interruptions if customer_interruptions else None
    return Reliability(
        customers_served=customers_served,
        customer_interruptions=customer_interruptions,
        customer_minutes=round(customer_minutes, 3),
        events=events,
        saifi=None if saifi is None else round(saifi, 6),
        saidi=None if saidi is None else round(saidi, 4),
        caidi=None if caidi is None else round(caidi, 4),
    )
