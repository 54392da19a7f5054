"""Synthetic, Finnish-flavoured demo data for development and `make run`.

`seed_demo()` writes it (only with DEBUG on); `DEMO_LOGINS` are the
sign-ins it creates, one per role, all with `DEMO_PASSWORD`.
"""
from .catalogue import DEMO_LOGINS, DEMO_PASSWORD, DemoLogin
from .seeding import SEED_STEPS, DemoDataRefused, SeedReport, seed_demo

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "DemoLogin", "SEED_STEPS", "DemoDataRefused", "SeedReport", "seed_demo"]
