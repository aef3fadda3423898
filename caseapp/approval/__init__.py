"""Ranking, approval by the department head, budget realisation pages."""
