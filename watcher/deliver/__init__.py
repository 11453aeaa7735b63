"""Deliver stage: the outbox sender, through Apprise."""
