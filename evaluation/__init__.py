"""`make eval`: the system and its baselines side by side on ../shared/data."""
