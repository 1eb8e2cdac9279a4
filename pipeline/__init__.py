"""The planning pipeline: the one place that knows the order of the stages.

forecast -> staffing -> roster -> checks -> evaluation -> reports. It lives in
its own folder because it depends on every room, and no room should depend on it.
"""
