"""Validation, estimation and editing (VEE) of meter reads (docs/vee.md).

``settings`` (the rule set), ``working_set`` + ``rules`` + ``estimation`` (one pass in SQL over
a window of reads), ``vee_pass`` (the pass on tables), ``lake_io`` and ``run`` (the lake edge:
which days, which files, one commit), ``edits`` (overrides, accepts and rejects with an audit
log), ``queries`` and ``quality_report`` (validated readings, totals with and without
estimates, the per-meter quality report).
"""
