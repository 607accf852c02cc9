"""Forecasters behind one contract: hourly history in, hourly quantile forecasts out."""
