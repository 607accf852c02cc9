"""Per-meter daily anomaly detection (reference section 4.3): detectors behind one contract.

A detector takes a ``DailyMatrix`` (meters x days of interval kWh) and returns a ``Band``
(``yhat``, ``yhat_lower``, ``yhat_upper`` per meter and day); ``classify`` turns a band and the
actual consumption into the reference's ``anomaly`` flag and ``importance``.
"""
