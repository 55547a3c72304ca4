"""Seeded contact-centre simulations: organisation specs (``scenarios/*.yaml``) plus a seed give a world."""

from casekit.scenario.recruitment import interview_ratings, job_competence
from casekit.scenario.spec import OrgSpec, find_spec, list_specs, load_spec, parse_spec
from casekit.scenario.world import TABLES, World, build_world, world_for

__all__ = [
    "TABLES",
    "OrgSpec",
    "World",
    "build_world",
    "find_spec",
    "interview_ratings",
    "job_competence",
    "list_specs",
    "load_spec",
    "parse_spec",
    "world_for",
]
