"""Seed step: wellbeing answers for the demo world, from the wellbeing app's own demo generator."""
from wellbeing.demo import seed_survey_responses as seed_wellbeing_answers

from .world import DemoWorld


def seed_survey_responses(world: DemoWorld) -> None:
    """Pulses, monthly surveys and client outcomes; the generator skips what exists."""
    for what, number in seed_wellbeing_answers(rng=world.rng()).items():
        world.count(what, number)
