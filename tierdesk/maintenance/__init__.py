"""Maintenance: the schedules a tier's covered services bring to each agreement, the work
orders generated from them ahead of time, network audits and the monthly value report."""
