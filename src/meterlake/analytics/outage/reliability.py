"""IEEE 1366 reliability indices from customer interruptions and customers served."""

from __future__ import annotations

from dataclasses import dataclass

#: IEEE 1366: an interruption longer than this is sustained; shorter ones are momentary.
SUSTAINED_MINUTES = 5.0


@dataclass(frozen=True)
class Reliability:
    """SAIFI, SAIDI (minutes), CAIDI (minutes) and MAIFI of one period and area.

    SAIFI = sustained customer interruptions / customers served; SAIDI = customer minutes of
    sustained interruption / customers served; CAIDI = SAIDI / SAIFI; MAIFI = momentary customer
    interruptions / customers served. ``None`` where a denominator is zero.
    """

    customers_served: int
    customer_interruptions: int
    customer_minutes: float
    momentary_interruptions: int
    events: int
    saifi: float | None
    saidi: float | None
    caidi: float | None
    maifi: float | None


def reliability_indices(
    customers_served: int,
    interruptions: tuple[int, int],
    customer_minutes: float,
    events: int,
) -> Reliability:
    """The indices from (sustained, momentary) customer ``interruptions`` and minutes."""
    sustained, momentary = interruptions

    def per_customer(total: float, digits: int) -> float | None:
        return round(total / customers_served, digits) if customers_served else None

    return Reliability(
        customers_served=customers_served,
        customer_interruptions=sustained,
        customer_minutes=round(customer_minutes, 3),
        momentary_interruptions=momentary,
        events=events,
        saifi=per_customer(sustained, 6),
        saidi=per_customer(customer_minutes, 4),
        caidi=round(customer_minutes / sustained, 4) if sustained else None,
        maifi=per_customer(momentary, 6),
    )
