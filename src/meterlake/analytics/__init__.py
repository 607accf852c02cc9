"""Pure computations on frames: anomaly, forecast, outage and quality analytics."""
