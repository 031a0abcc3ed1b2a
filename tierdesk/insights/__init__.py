"""Insights (read-only): profitability with guardrails, the price designer, and capacity /
SLA-feasibility simulation. `tierdesk.insights.simulation` is pure Python (no Django)."""
